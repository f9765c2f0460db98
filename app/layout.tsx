import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { ToastProvider } from "@/components/ui/toast";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Boltrail", template: "%s · Boltrail" },
  description: "Self-hosted Bitcoin Lightning payments",
};

/**
 * Every page is rendered per request (`connection()`), the 404 page included: the strict
 * Content-Security-Policy of proxy.ts allows only scripts carrying that request's nonce, which
 * Next.js can only put on a page rendered for the request (a prerendered page's scripts have none).
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <Providers>
          <ToastProvider>{children}</ToastProvider>
        </Providers>
      </body>
    </html>
  );
}
