import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/dashboard";
import { LoginForm } from "../_components/login-form";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; reset?: string }> }) {
  if (await currentUser()) redirect("/pay");
  const { next, reset } = await searchParams;
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Log in to Boltrail</h1>
      {reset === "done" && (
        <p role="status" className="mb-5 rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
          Your password was changed and every session of your account was signed out. Log in with the new password.
        </p>
      )}
      <LoginForm next={typeof next === "string" ? next : undefined} />
      <p className="mt-4 text-center text-sm">
        <Link href="/forgot-password" className="font-semibold text-indigo-700 underline dark:text-indigo-300">
          Forgot your password?
        </Link>
      </p>
      <p className="mt-6 text-center text-sm text-gray-600 dark:text-gray-400">
        New to Boltrail?{" "}
        <Link href="/signup" className="font-semibold text-indigo-700 underline dark:text-indigo-300">
          Create an account
        </Link>
      </p>
    </>
  );
}
