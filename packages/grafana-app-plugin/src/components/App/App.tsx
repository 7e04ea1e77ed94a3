import React, { Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { Loading } from '../States';
import { ROUTES, prefixRoute } from '../../constants';

const IssuesPage = React.lazy(() => import('../../pages/IssuesPage'));
const IssueDetailPage = React.lazy(() => import('../../pages/IssueDetailPage'));
const SessionsPage = React.lazy(() => import('../../pages/SessionsPage'));
const SessionPage = React.lazy(() => import('../../pages/SessionPage'));
const FeedbackPage = React.lazy(() => import('../../pages/FeedbackPage'));

/** The app's pages under /a/beacon-observability-app/ (Grafana gives the parent route). */
function App(_props: AppRootProps) {
  return (
    <Suspense fallback={<Loading text="Loading…" />}>
      <Routes>
        <Route path={ROUTES.Issues} element={<IssuesPage />} />
        <Route path={ROUTES.Issue} element={<IssueDetailPage />} />
        <Route path={ROUTES.Sessions} element={<SessionsPage />} />
        <Route path={ROUTES.Session} element={<SessionPage />} />
        <Route path={ROUTES.Feedback} element={<FeedbackPage />} />
        {/* Absolute: relative to a splat route, react-router v7 would keep the unknown path and loop. */}
        <Route path="*" element={<Navigate to={prefixRoute(ROUTES.Issues)} replace />} />
      </Routes>
    </Suspense>
  );
}

export default App;
