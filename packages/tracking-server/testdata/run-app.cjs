// How the SDK test applications end: run `main`, then print whether the SDK flushed all it held
// (the test reads that line) and exit, 1 with the stack on any failure.
module.exports = function runApp(main, flush) {
  main()
    .then(() => flush())
    .then(
      (flushed) => {
        process.stdout.write(JSON.stringify({ flushed }) + '\n');
        process.exit(0);
      },
      (err) => {
        process.stderr.write(String(err && err.stack) + '\n');
        process.exit(1);
      },
    );
};
