import { CheckoutFrame } from "../checkout-frame";

/** For a payer who followed a payment link that leads nowhere: what happened and what to do, nothing of the dashboard. */
export default function CheckoutNotFound() {
  return (
    <CheckoutFrame>
      <div className="text-center">
        <p aria-hidden="true" className="mx-auto flex size-14 items-center justify-center rounded-full bg-gray-100 text-2xl dark:bg-gray-800">
          ?
        </p>
        <h1 className="mt-4 text-xl font-semibold">This payment link does not work</h1>
        <p className="mt-2 text-sm text-gray-600 dark:text-gray-400">
          There is no payment here. The link may be incomplete or mistyped. Nothing has been charged: ask whoever sent you the link for a new one.
        </p>
      </div>
    </CheckoutFrame>
  );
}
