// Prints one plain closing line, "jest: N passed, N failed[, N skipped]", after jest's own summary,
// so CI logs end with a count any reader (or tool) understands.
export default class SummaryLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
