import "server-only";
import type { Mail } from "./send-mail";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The password reset message: the link, how long it lasts, and what to do if it was not you. */
export function passwordResetMail(to: string, link: string, validMinutes: number): Mail {
  const text = [
    "Someone (hopefully you) asked to reset the password of your Boltrail account.",
    "",
    `Choose a new password here (the link works once, for ${validMinutes} minutes):`,
    link,
    "",
    "If you did not ask for this, ignore this message: your password stays as it is.",
  ].join("\n");
  const html = `<p>Someone (hopefully you) asked to reset the password of your Boltrail account.</p>
<p><a href="${escapeHtml(link)}">Choose a new password</a> (the link works once, for ${validMinutes} minutes):<br>${escapeHtml(link)}</p>
<p>If you did not ask for this, ignore this message: your password stays as it is.</p>`;
  return { to, subject: "Reset your Boltrail password", text, html };
}
