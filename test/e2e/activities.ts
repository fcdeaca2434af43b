/** Activities of the e2e workflow; they run in the test's worker, outside the workflow sandbox. */
export async function greet(name: string): Promise<string> {
  return `Hello, ${name}`;
}
