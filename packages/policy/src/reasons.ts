/**
 * Stable reason codes. Codes never change meaning once released: stored decisions refer to them.
 * Each names the provision behind it and a message a marketer can read, in English and German.
 */
export const REASONS = {
  SUBJECT_ERASED: {
    article: 'Art. 17 GDPR',
    en: 'The person has been erased or their erasure is pending; nothing may be processed.',
    de: 'Die Person wurde gelöscht oder ihre Löschung steht an; es darf nichts verarbeitet werden.',
  },
  SUBJECT_RESTRICTED: {
    article: 'Art. 18(2) GDPR',
    en: 'Processing is restricted for this person; the data may only be stored.',
    de: 'Die Verarbeitung ist für diese Person eingeschränkt; die Daten dürfen nur gespeichert werden.',
  },
  SUPPRESSED: {
    article: 'Art. 17, 21(3) GDPR',
    en: 'The address is on the suppression list and must never be contacted again.',
    de: 'Die Adresse steht auf der Sperrliste und darf nie wieder kontaktiert werden.',
  },
  CHANNEL_NOT_IN_PURPOSE: {
    article: 'Art. 5(1)(b) GDPR',
    en: 'This purpose does not cover this channel.',
    de: 'Dieser Zweck umfasst diesen Kanal nicht.',
  },
  OBJECTED_TO_DIRECT_MARKETING: {
    article: 'Art. 21(3) GDPR',
    en: 'The person objected to direct marketing; it has ended on every channel.',
    de: 'Die Person hat der Direktwerbung widersprochen; sie endet auf allen Kanälen.',
  },
  NO_CONSENT: {
    article: 'Art. 6(1)(a), 7(1) GDPR; § 7(2) UWG',
    en: 'There is no consent for this purpose on this channel.',
    de: 'Für diesen Zweck und Kanal liegt keine Einwilligung vor.',
  },
  CONSENT_WITHDRAWN: {
    article: 'Art. 7(3) GDPR',
    en: 'The person withdrew their consent for this purpose on this channel.',
    de: 'Die Person hat ihre Einwilligung für diesen Zweck und Kanal widerrufen.',
  },
  CONSENT_EXPIRED: {
    article: 'Art. 7(1) GDPR',
    en: 'The consent for this purpose on this channel has expired.',
    de: 'Die Einwilligung für diesen Zweck und Kanal ist abgelaufen.',
  },
  BALANCING_TEST_MISSING: {
    article: 'Art. 6(1)(f) GDPR',
    en: 'Legitimate interest needs a documented balancing test for this purpose.',
    de: 'Ein berechtigtes Interesse erfordert für diesen Zweck eine dokumentierte Interessenabwägung.',
  },
  PROFILING_NEEDS_CONSENT: {
    article: 'Art. 6(1)(a), 6(1)(f) GDPR',
    en: 'Detailed profiling and scoring need consent; legitimate interest does not carry them.',
    de: 'Detailliertes Profiling und Scoring erfordern eine Einwilligung; ein berechtigtes Interesse trägt sie nicht.',
  },
  DOUBLE_OPT_IN_PENDING: {
    article: '§ 7(2) Nr. 2 UWG; Art. 7(1) GDPR',
    en: 'The consent has not been confirmed by double opt-in yet.',
    de: 'Die Einwilligung ist noch nicht per Double-Opt-in bestätigt.',
  },
  FREQUENCY_CAP_REACHED: {
    article: '§ 7(1) UWG',
    en: 'This person has already received as many marketing messages on this channel as the contact policy allows for the period.',
    de: 'Diese Person hat in diesem Zeitraum bereits so viele Werbenachrichten auf diesem Kanal erhalten, wie die Kontaktregeln erlauben.',
  },
  QUIET_HOURS: {
    article: '§ 7(1) UWG',
    en: "It is within the quiet hours in the person's time zone; the message may go out when they end.",
    de: 'In der Zeitzone der Person gilt gerade die Ruhezeit; die Nachricht darf nach deren Ende versendet werden.',
  },
  SPECIAL_CATEGORY_DATA: {
    article: 'Art. 9(1) GDPR',
    en: 'This field holds a special category of personal data (such as health, religion or political opinions), which this product never stores.',
    de: 'Dieses Feld enthält eine besondere Kategorie personenbezogener Daten (etwa Gesundheit, Religion oder politische Meinung), die dieses Produkt nie speichert.',
  },
  FIELD_NOT_IN_PURPOSE: {
    article: 'Art. 5(1)(b), (c) GDPR',
    en: 'The purpose does not list this field among the data it may use.',
    de: 'Der Zweck führt dieses Feld nicht unter den Daten, die er verwenden darf.',
  },
} as const satisfies Record<string, { article: string; en: string; de: string }>;

export type ReasonCode = keyof typeof REASONS;

export interface Reason {
  code: ReasonCode;
  article: string;
}

export const reason = (code: ReasonCode): Reason => ({ code, article: REASONS[code].article });

/** The human-readable message of a reason code. */
export const explain = (code: ReasonCode, language: 'en' | 'de' = 'en'): string => REASONS[code][language];
