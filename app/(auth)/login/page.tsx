import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/dashboard";
import { loginAction } from "../actions";
import { CredentialsForm } from "../_components/credentials-form";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await currentUser()) redirect("/pay");
  const { next } = await searchParams;
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Log in to Boltrail</h1>
      <CredentialsForm
        action={loginAction}
        submitLabel="Log in"
        pendingLabel="Logging in…"
        hidden={next ? { next } : {}}
        fields={[
          { name: "email", label: "Email", type: "email", autoComplete: "email" },
          { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
        ]}
      />
      <p className="mt-6 text-center text-sm text-gray-600 dark:text-gray-400">
        New to Boltrail?{" "}
        <Link href="/signup" className="font-semibold text-indigo-700 underline dark:text-indigo-300">
          Create an account
        </Link>
      </p>
    </>
  );
}
