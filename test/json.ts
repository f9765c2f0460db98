/**
 * A parsed JSON response body in tests: GraphQL answers are navigated deep into
 * (`body.data.payment.transaction.create_receive.amount.full_amount`) and asserted with `expect`,
 * which is what checks their shape. The one place `any` is allowed in the test suites.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Json = any;
