// The asynchronous property tests here (hundreds of CLI runs and HTTP round trips to a fake
// Grafana each) take 1.5-7 s alone on 2 cores and 7-15 s with the cores loaded 8 times over; CI
// can load them 20 times over, past 60 s (jest times out an async test only: a synchronous
// property runs to its end). A hang still fails, at 300 s.
module.exports = require('../../jest.preset.cjs').preset(__dirname, { testTimeout: 300_000 });
