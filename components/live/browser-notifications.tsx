"use client";
import { useCallback, useSyncExternalStore } from "react";

/** Where the opt-in is kept, per browser. */
const STORAGE_KEY = "boltrail.browser-notifications";

type State = "unsupported" | "default" | "denied" | "granted-off" | "granted-on";

const changed = new Set<() => void>();

function subscribe(listener: () => void) {
  changed.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    changed.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

function readState(): State {
  if (typeof Notification === "undefined") return "unsupported";
  if (Notification.permission !== "granted") return Notification.permission;
  return localStorage.getItem(STORAGE_KEY) === "on" ? "granted-on" : "granted-off";
}

function setOptIn(on: boolean) {
  localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
  for (const listener of changed) listener();
}

export type BrowserNotificationsState = {
  /** null while rendering on the server (the browser's permission is not known there). */
  state: State | null;
  turnOn: () => Promise<void>;
  turnOff: () => void;
  /** Shows a notification when the user opted in and this tab is in the background (the toast covers a visible tab). */
  notify: (message: string, tag: string, href: string) => void;
};

/**
 * Optional browser notifications of payments: off until the user turns them on with a click
 * (only then is the browser's permission asked), remembered in localStorage.
 */
export function useBrowserNotifications(): BrowserNotificationsState {
  const state = useSyncExternalStore(subscribe, readState, () => null);
  const turnOn = useCallback(async () => {
    const permission = await Notification.requestPermission();
    setOptIn(permission === "granted");
  }, []);
  const turnOff = useCallback(() => setOptIn(false), []);
  const notify = useCallback((message: string, tag: string, href: string) => {
    if (readState() !== "granted-on" || document.visibilityState === "visible") return;
    // One notification per event, however many tabs are open (the same tag replaces it).
    const notification = new Notification("Boltrail", { body: message, tag: `boltrail-${tag}` });
    notification.onclick = () => {
      window.focus();
      notification.close();
      window.location.assign(href);
    };
  }, []);
  return { state, turnOn, turnOff, notify };
}

const LINK = "font-semibold text-indigo-700 underline dark:text-indigo-300";

/** The opt-in control (in the dashboard's footer). */
export function BrowserNotifications({ state }: { state: BrowserNotificationsState }) {
  switch (state.state) {
    case null:
    case "unsupported":
      return null;
    case "denied":
      return <span>Browser notifications are blocked for this site in your browser&apos;s settings.</span>;
    case "granted-on":
      return (
        <button type="button" className={LINK} onClick={state.turnOff}>
          Turn off browser notifications
        </button>
      );
    default:
      return (
        <button type="button" className={LINK} onClick={() => void state.turnOn()}>
          Turn on browser notifications for payments
        </button>
      );
  }
}
