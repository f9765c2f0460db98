import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import { env } from "../env";

export type Mail = { to: string; subject: string; text: string; html?: string };

let transport: { url: string; transporter: Transporter } | undefined;

/** Whether this instance can send mail (SMTP_URL is set). */
export function mailConfigured(): boolean {
  return !!env().SMTP_URL;
}

/** The From address: MAIL_FROM, else `Boltrail <no-reply@<host of APP_URL>>`. */
export function mailFrom(): string {
  const { MAIL_FROM, APP_URL } = env();
  if (MAIL_FROM) return MAIL_FROM;
  const host = APP_URL ? new URL(APP_URL).hostname : "localhost";
  return `Boltrail <no-reply@${host}>`;
}

function transporter(url: string): Transporter {
  if (transport?.url !== url) {
    // smtp:// upgrades with STARTTLS when the server offers it; smtps:// is TLS from the start.
    transport = { url, transporter: nodemailer.createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }) };
  }
  return transport.transporter;
}

/** Sends one message through SMTP_URL; throws when mail is not configured or the server refuses it. */
export async function sendMail(mail: Mail): Promise<void> {
  const url = env().SMTP_URL;
  if (!url) throw new Error("Mail is not configured (SMTP_URL is unset)");
  await transporter(url).sendMail({ from: mailFrom(), to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
}
