/** The checklist ids (docs: /docs gdpr-checklist, components/compliance/compliance.ts). */
export const checklistIds = ["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10", "C11", "C12", "C13", "C14", "C15"] as const;
export type ChecklistId = (typeof checklistIds)[number];
