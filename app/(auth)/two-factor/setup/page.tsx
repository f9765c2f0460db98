import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button-class";
import { requireUserForEnrolment } from "@/lib/auth/dashboard";
import { TwoFactorEnrolment } from "../../../(dashboard)/settings/security/two-factor-enrolment";
import { logoutAction } from "../../actions";

export const metadata: Metadata = { title: "Set up two-factor authentication" };

/** Where requireUser sends an account whose team requires two-factor authentication and which has none. */
export default async function TwoFactorSetupPage() {
  const actor = await requireUserForEnrolment();
  if (!actor.mustEnrolTwoFactor) redirect("/settings/security");
  return (
    <>
      <h1 className="text-xl font-semibold">Set up two-factor authentication</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600 dark:text-gray-400">
        Your team requires it for every account. Once it is on, the dashboard opens; each login then asks for a code from your authenticator app.
      </p>
      <TwoFactorEnrolment
        done={
          <Link href="/pay" className={buttonClass("primary", "w-full")}>
            Continue to the dashboard
          </Link>
        }
      />
      <form action={logoutAction} className="mt-6 text-center">
        <button type="submit" className="text-sm font-semibold text-indigo-700 underline dark:text-indigo-300">
          Log out
        </button>
      </form>
    </>
  );
}
