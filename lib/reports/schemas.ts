import { z } from "zod";

/** The periods the reports page offers, in days ending today (UTC). */
export const REPORT_PERIODS = [7, 30, 90] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];
export const DEFAULT_REPORT_PERIOD: ReportPeriod = 30;

export const GetReportInput = z.object({
  environment_id: z.string({ error: "is required" }).trim().min(1, "is required").max(100, "is not a valid id"),
  days: z
    .number({ error: "must be 7, 30 or 90" })
    .refine((n): n is ReportPeriod => (REPORT_PERIODS as readonly number[]).includes(n), "must be 7, 30 or 90")
    .nullish(),
});
export type GetReportInput = z.input<typeof GetReportInput>;
