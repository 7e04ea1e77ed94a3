import React, { createContext, useContext, useMemo } from 'react';
import { ProxyTrackerApi, type TrackerApi } from './client';

const TrackerApiContext = createContext<TrackerApi | undefined>(undefined);

/** Gives pages and panels their client; tests pass a fake. Without a provider, the proxy client is used. */
export function TrackerApiProvider({ api, children }: { api?: TrackerApi; children: React.ReactNode }) {
  const value = useMemo(() => api ?? new ProxyTrackerApi(), [api]);
  return <TrackerApiContext.Provider value={value}>{children}</TrackerApiContext.Provider>;
}

export function useTrackerApi(): TrackerApi {
  const api = useContext(TrackerApiContext);
  return useMemo(() => api ?? new ProxyTrackerApi(), [api]);
}
