import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/dashboard";
import { PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Settings" };

const LINK = "block rounded-lg border border-gray-200 bg-white px-5 py-4 hover:bg-gray-50 dark:border-gray-800 dark:bg-gray-900 dark:hover:bg-gray-800";

export default async function SettingsPage() {
  const actor = await requireUser();
  const items = [
    { href: "/settings/team", title: "Team", body: "Members of your team and their roles." },
    ...(actor.isMaster ? [{ href: "/settings/invitations", title: "Invitations", body: "Invite links for new members." }] : []),
    { href: "/settings/security", title: "Security", body: "Password, two-factor authentication and signed-in sessions." },
  ];
  return (
    <>
      <PageHeader title="Settings" />
      <ul className="grid gap-4 sm:grid-cols-2">
        {items.map((item) => (
          <li key={item.href}>
            <Link href={item.href} className={LINK}>
              <span className="block font-semibold text-indigo-700 dark:text-indigo-300">{item.title}</span>
              <span className="mt-1 block text-sm text-gray-600 dark:text-gray-400">{item.body}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
