// A TypeScript client's view of the contract: the types openapi-typescript generates from openapi.json
// (generated/api.d.ts), and code that reads every property of what the service answers, each as the type
// the service sends. `tsc --noEmit` (CI: npm run --prefix openapi check:typescript) fails when the
// contract leaves a property out, adds one, or types one differently (an empty object, a missing `items`).
import type { components, paths } from "./generated/api";

type Schemas = components["schemas"];

/** One reader per property of T, no more and no fewer: `read` must name every key, and each reader takes the key's type. */
function everyProperty<T extends object>(value: T, read: { [K in keyof Required<T>]: (v: T[K]) => void }): void {
  for (const key of Object.keys(read) as (keyof T)[]) {
    read[key](value[key]);
  }
}

const instant = (v: string): Date => new Date(v);
const maybeInstant = (v: string | null): Date | null => (v === null ? null : new Date(v));
const text = (v: string): string => v;
const maybeText = (v: string | null): string | null => v;
const count = (v: number): number => v;
const maybeCount = (v: number | null): number | null => v;
const flag = (v: boolean): boolean => v;
const texts = (v: string[]): string[] => v;

function question(q: Schemas["PreparationQuestion"]): void {
  everyProperty(q, { question: text, answerNotes: maybeText });
}

function reschedule(r: Schemas["RescheduleEntry"]): void {
  everyProperty(r, {
    previousDateTime: instant, newDateTime: instant, rescheduledAt: instant, reason: maybeText,
    initiatedBy: (v: "Candidate" | "Company") => v,
  });
}

const interviewType = (v: "PhoneScreen" | "Video" | "InPerson" | "Technical" | "Panel" | "Final") => v;
const status = (v: "Scheduled" | "Prepared" | "Completed" | "Rescheduled" | "Cancelled") => v;
const videoProvider = (v: "zoom" | "teams" | "googleMeet" | "webex" | null) => v;
type OutcomeName = "Advanced" | "Rejected" | "Offer" | "Withdrawn" | "NoDecision";
const outcome = (v: OutcomeName) => v;
const maybeOutcome = (v: OutcomeName | null) => v;

export function readInterview(i: Schemas["Interview"]): void {
  everyProperty(i, {
    id: text, applicationId: text, interviewType, status, scheduledAt: instant, scheduledAtLocal: text,
    duration: count, location: maybeText, interviewers: texts, timezone: text, completedAt: maybeInstant,
    actualDuration: maybeCount, performanceRating: maybeCount, interviewNotes: maybeText, nextSteps: maybeText,
    followUpRequired: flag, preparationNotes: maybeText, researchCompleted: flag, questionsPrepped: flag,
    materialsGathered: flag, questions: (v) => v.forEach(question), thankYouNoteSent: flag, thankYouSentAt: maybeInstant,
    thankYouNote: (v) => v && everyProperty(v, { recipients: texts, method: (m: "Email" | "LinkedIn" | "Handwritten" | null) => m, notes: maybeText }),
    rescheduleHistory: (v) => v.forEach(reschedule), createdAt: instant, updatedAt: instant, videoProvider,
    conflicts: (v) => v.forEach((c) => everyProperty(c, {
      interviewId: text, scheduledAt: instant, duration: count, endsAt: instant, overlapMinutes: count, gapMinutes: count,
    })),
    invitation: (v) => v && everyProperty(v, { uid: text, sequence: count }),
    questionsAsked: texts, outcome: maybeOutcome, decidedAt: maybeInstant, outcomeNotes: maybeText, suggestedQuestions: texts,
    reminderMinutesBefore: (v: number[] | null) => v,
  });
}

export function readPage(page: Schemas["InterviewPage"]): void {
  everyProperty(page, {
    nextCursor: maybeText,
    items: (items) => items.forEach((s) => everyProperty(s, {
      id: text, applicationId: text, interviewType, status, scheduledAt: instant, scheduledAtLocal: text, duration: count,
      location: maybeText, interviewers: texts, timezone: text, researchCompleted: flag, questionsPrepped: flag,
      materialsGathered: flag, completedAt: maybeInstant, performanceRating: maybeCount, followUpRequired: flag,
      thankYouNoteSent: flag, rescheduleCount: count, updatedAt: instant, videoProvider, outcome: maybeOutcome, decidedAt: maybeInstant,
    })),
  });
}

const quietHours = (v?: { start: string; end: string } | null) => v;

export function readSettings(s: Schemas["NotificationSettings"]): void {
  everyProperty(s, {
    email: maybeText, emailSource: (v: "settings" | "token" | null) => v, reminderMinutesBefore: (v: number[]) => v,
    nudgesEnabled: flag, remindersEnabled: flag, timezone: maybeText, quietHours, morningDigestAt: maybeText,
  });
}

const provider = (v: "google" | "outlook") => v;
const connectionStatus = (v: "connected" | "reconsentRequired") => v;

export function readConnection(c: Schemas["CalendarConnection"]): void {
  everyProperty(c, {
    provider, accountEmail: maybeText, status: connectionStatus, connectedAt: instant, lastSyncAt: maybeInstant,
    lastError: maybeText, pendingSyncs: count,
  });
}

function storedSettings(s: Schemas["StoredNotificationSettings"]): void {
  everyProperty(s, {
    email: maybeText, tokenEmail: maybeText, reminderMinutesBefore: (v: number[]) => v, nudgesEnabled: flag,
    remindersEnabled: flag, timezone: maybeText, effectiveEmail: maybeText, quietHours,
    morningDigestAt: (v?: string | null) => v,
  });
}

function storedEvent(e: Schemas["StoredEvent"]): void {
  const envelope = { interviewId: text, userId: text, occurredAt: instant };
  const ids = { eventId: text, interviewId: text, userId: text, occurredAt: instant };
  switch (e.type) {
    case "InterviewScheduled":
      return everyProperty(e, { ...envelope, type: text, data: (d) => everyProperty(d, {
        ...ids, applicationId: text, interviewType, scheduledAt: instant, duration: count, location: maybeText,
        interviewers: texts, timezone: text, scheduledOn: instant }) });
    case "InterviewPrepared":
      return everyProperty(e, { ...envelope, type: text, data: (d) => everyProperty(d, {
        ...ids, preparedAt: instant, preparationNotes: text, researchCompleted: flag, questionsPrepped: flag,
        materialsGathered: flag, questions: (v) => v.forEach(question) }) });
    case "InterviewCompleted":
      return everyProperty(e, { ...envelope, type: text, data: (d) => everyProperty(d, {
        ...ids, completedAt: instant, actualDuration: maybeCount, performanceRating: maybeCount, interviewNotes: text,
        nextSteps: maybeText, followUpRequired: flag, recordedAt: instant,
        questionsAsked: (v: string[] | null | undefined) => v }) });
    case "InterviewRescheduled":
      return everyProperty(e, { ...envelope, type: text, data: (d) => everyProperty(d, {
        ...ids, previousDateTime: instant, newDateTime: instant, rescheduledAt: instant, reason: maybeText,
        initiatedBy: (v: "Candidate" | "Company") => v }) });
    case "ThankYouNoteSent":
      return everyProperty(e, { ...envelope, type: text, data: (d) => everyProperty(d, {
        ...ids, sentAt: instant, recipients: texts, method: (v: "Email" | "LinkedIn" | "Handwritten") => v, notes: maybeText,
        recordedAt: instant }) });
    case "InterviewDetailsUpdated":
      return everyProperty(e, { ...envelope, type: text, data: (d) => everyProperty(d, {
        ...ids, interviewType, duration: count, location: maybeText, interviewers: texts, timezone: text, updatedAt: instant }) });
    case "InterviewCancelled":
      return everyProperty(e, { ...envelope, type: text, data: (d) => everyProperty(d, {
        ...ids, previousStatus: status, scheduledAt: instant, cancelledAt: instant }) });
    case "InterviewOutcomeRecorded":
      return everyProperty(e, { ...envelope, type: text, data: (d) => everyProperty(d, {
        ...ids, outcome, previousOutcome: maybeOutcome, decidedAt: instant, notes: maybeText, recordedAt: instant }) });
    case "NotificationSettingsChanged":
      return everyProperty(e, { ...envelope, interviewId: (v: null) => v, type: text, data: (d) => everyProperty(d, {
        eventId: text, userId: text, occurredAt: instant }) });
    default: {
      const unknown: never = e;
      throw new Error(`An event type the contract does not list: ${JSON.stringify(unknown)}`);
    }
  }
}

export function readExport(x: Schemas["UserExport"]): void {
  everyProperty(x, {
    userId: text,
    exportedAt: instant,
    interviews: (v) => v.forEach((i) => everyProperty(i, {
      id: text, userId: text, applicationId: text, interviewType, status, scheduledAt: instant, duration: count,
      location: maybeText, interviewers: texts, timezone: text, completedAt: maybeInstant, actualDuration: maybeCount,
      performanceRating: maybeCount, interviewNotes: maybeText, nextSteps: maybeText, followUpRequired: flag,
      preparationNotes: maybeText, researchCompleted: flag, questionsPrepped: flag, materialsGathered: flag,
      thankYouNoteSent: flag, thankYouSentAt: maybeInstant, thankYouRecipients: texts,
      thankYouMethod: (m: "Email" | "LinkedIn" | "Handwritten" | null) => m, thankYouNotes: maybeText,
      rescheduleHistory: (h) => h.forEach(reschedule), createdAt: instant, updatedAt: instant, version: count,
      preparationQuestions: (q) => q.forEach(question), invitation: (v) => v && everyProperty(v, { uid: text, sequence: count }),
      questionsAsked: (v: string[] | undefined) => v, outcome: (v: OutcomeName | null | undefined) => v,
      decidedAt: (v: string | null | undefined) => v, outcomeNotes: (v: string | null | undefined) => v,
      reminderMinutesBefore: (v: number[] | null | undefined) => v,
    })),
    reminders: (r) => everyProperty(r, {
      notificationSettings: (s) => s && storedSettings(s),
      reminders: (v) => v.forEach((m) => everyProperty(m, {
        userId: text, interviewId: text, reminderKind: (k: "Before" | "PrepareNudge" | "ThankYouNudge" | "FollowUpNudge" | "Cancellation" | "Moved" | "MorningDigest") => k,
        minutesBefore: maybeCount, dueAt: instant, sendAfter: instant, status: (s: "Due" | "Sending" | "Sent" | "Dropped") => s,
        attempts: count, lastError: maybeText, sentAt: maybeInstant,
      })),
    }),
    records: (v) => v.forEach((record) => {
      switch (record.kind) {
        case "event":
          return everyProperty(record, { kind: text, id: text, document: storedEvent });
        case "idempotency":
          return everyProperty(record, { kind: text, id: text, document: (d) => everyProperty(d, {
            endpoint: text, requestHash: text, status: count, body: text, location: maybeText, interviewId: text,
            interviewVersion: count, createdAt: instant }) });
        case "invitation":
          return everyProperty(record, { kind: text, id: text, document: (d) => everyProperty(d, { uid: text, interviewId: text }) });
        case "insights-month":
          return everyProperty(record, { kind: text, id: text, document: (d) => everyProperty(d, {
            month: text, counters: (c: { [counter: string]: number }) => c }) });
      }
    }),
    calendar: (c) => c && everyProperty(c, {
      connections: (v) => v.forEach((k) => everyProperty(k, {
        provider, accountEmail: maybeText, status: connectionStatus, connectedAt: instant, lastSyncAt: maybeInstant, lastError: maybeText,
      })),
    }),
  });
}

function advanceRate(r: Schemas["AdvanceRate"]): void {
  everyProperty(r, { decided: count, advanced: maybeCount, rate: maybeCount, insufficientData: flag });
}

export function readCalibration(c: Schemas["CalibrationInsights"]): void {
  everyProperty(c, {
    minimumDecided: (v: 5) => v,
    outcomes: (o) => everyProperty(o, { Advanced: count, Rejected: count, Offer: count, Withdrawn: count, NoDecision: count }),
    overall: advanceRate,
    bySelfRating: (r) => everyProperty(r, { 1: advanceRate, 2: advanceRate, 3: advanceRate, 4: advanceRate, 5: advanceRate }),
    byType: (t) => everyProperty(t, {
      PhoneScreen: advanceRate, Video: advanceRate, InPerson: advanceRate, Technical: advanceRate, Panel: advanceRate, Final: advanceRate,
    }),
    byPreparation: (p) => everyProperty(p, { allChecklistItems: advanceRate, notAllChecklistItems: advanceRate }),
    daysToDecision: (d) => everyProperty(d, { decided: count, medianDays: maybeCount, insufficientData: flag }),
  });
}

/** Errors: a problem's status and code are typed, and a validation problem's fields are a map of messages. */
export function readProblems(
  validation: Schemas["ValidationProblem"],
  stale: paths["/interviews/{id}/reschedule"]["put"]["responses"]["412"]["content"]["application/problem+json"],
): string[] {
  const status400: 400 = validation.status;
  const code: "validation" = validation.code;
  const fields: { [field: string]: string[] | undefined } = validation.errors;
  const status412: 412 = stale.status;
  const staleCode: "etag-mismatch" | "settings-changed" = stale.code;
  return [String(status400), code, ...Object.keys(fields), String(status412), staleCode, stale.detail, stale.traceId];
}
