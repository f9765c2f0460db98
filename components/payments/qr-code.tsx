"use client";
import { QRCodeSVG } from "qrcode.react";

/** The QR code of `lightning:<bolt11>`, labelled for screen readers. */
export function InvoiceQr({ paymentRequest, size = 240 }: { paymentRequest: string; size?: number }) {
  return (
    <div className="inline-block rounded-lg bg-white p-3" data-testid="invoice-qr">
      <QRCodeSVG value={`lightning:${paymentRequest.toUpperCase()}`} size={size} level="M" title="QR code of the Lightning invoice" role="img" aria-label="QR code of the Lightning invoice" />
    </div>
  );
}
