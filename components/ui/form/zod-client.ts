"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";

// zod's object parser probes `new Function("")` once to decide whether to compile a fast path;
// under the pages' CSP (no 'unsafe-eval') that probe is a reported violation. Interpreted parsing
// is plenty fast for a form.
z.config({ jitless: true });

export { zodResolver };
