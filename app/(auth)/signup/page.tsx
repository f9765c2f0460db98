import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/dashboard";
import { SignUpForm } from "../_components/credentials-form";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage() {
  if (await currentUser()) redirect("/pay");
  return (
    <>
      <h1 className="text-xl font-semibold">Create your Boltrail account</h1>
      <p className="mt-1 mb-6 text-sm text-gray-600 dark:text-gray-400">You become the master of a new team and can invite members later.</p>
      <SignUpForm />
      <p className="mt-6 text-center text-sm text-gray-600 dark:text-gray-400">
        Already have an account?{" "}
        <Link href="/login" className="font-semibold text-indigo-700 underline dark:text-indigo-300">
          Log in
        </Link>
      </p>
    </>
  );
}
