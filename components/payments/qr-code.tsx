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

/** The QR code of a Lightning Address (`lightning:name@host`, as wallets scan it), labelled for screen readers. */
export function AddressQr({ address, size = 160 }: { address: string; size?: number }) {
  return (
    <div className="inline-block rounded-lg bg-white p-3" data-testid="address-qr">
      <QRCodeSVG value={`lightning:${address}`} size={size} level="M" title={`QR code of ${address}`} role="img" aria-label={`QR code of the Lightning Address ${address}`} />
    </div>
  );
}
