import type { Metadata } from "next";
import Link from "next/link";
import { mailConfigured } from "@/lib/mail/send-mail";
import { ForgotPasswordForm } from "./forgot-password-form";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  const canMail = mailConfigured();
  return (
    <>
      <h1 className="text-xl font-semibold">Reset your password</h1>
      {canMail ? (
        <>
          <p className="mt-1 mb-6 text-sm text-gray-600 dark:text-gray-400">Enter the email of your account. We send a link to choose a new password.</p>
          <ForgotPasswordForm />
        </>
      ) : (
        <div className="mt-2 space-y-3 text-sm text-gray-700 dark:text-gray-300">
          <p>This server does not send email, so the link cannot be mailed to you.</p>
          <p>
            If you are a member of a team, ask your team&apos;s master: they can create a reset link for you on their security page. Otherwise ask the server&apos;s
            administrator to run <code className="font-mono text-xs break-all">npm run reset-password -- you@example.com</code>.
          </p>
        </div>
      )}
      <p className="mt-6 text-center text-sm">
        <Link href="/login" className="font-semibold text-indigo-700 underline dark:text-indigo-300">
          Back to log in
        </Link>
      </p>
    </>
  );
}
