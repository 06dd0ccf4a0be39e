/** The compliance report's unit suites (tests/unit/compliance.plan.test.ts, compliance.rendered.test.ts): one checklist item of a report. */
import { ComplianceReport } from "../../components/compliance/compliance";

export const item = (r: ComplianceReport, id: string) => r.items.find((i) => i.id === id)!;
