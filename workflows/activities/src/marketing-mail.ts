import type { Db } from '@zweck/db';
import type { SubjectRecord } from '@zweck/decision-facts';
import { createPreferencesToken, createUnsubscribeToken, unsubscribeMailto } from '@zweck/mail/unsubscribe-token';
import type { SenderIdentity } from '@zweck/mail';
import type { Channel } from '@zweck/policy';

/**
 * What every marketing message needs besides its template, shared by the campaign batch and the
 * journey's send step so that both personalise and link alike: the personal placeholders a
 * purpose may fill, their values for one person, and the footer's links (unsubscribe, preference
 * center, privacy notice, imprint) with the List-Unsubscribe headers.
 */

/** The personal placeholders a purpose may fill: its catalogue fields, without free text (Art. 5(1)(c)). */
export async function personalKeysFor(db: Db, fieldKeys: readonly string[]): Promise<string[]> {
  const fields = await db.fieldDefinition.findMany({
    where: { key: { in: [...fieldKeys] }, type: { not: 'free_text' } },
    select: { key: true },
  });
  return fields.map((f) => f.key);
}

/** The values of `keys` for one person: built-in columns or catalogue attributes; anything not text is left empty. */
export const personalValues = (person: Omit<SubjectRecord, 'subject'>, keys: readonly string[]): Record<string, string | null> => {
  const attributes =
    person.attributes !== null && typeof person.attributes === 'object' && !Array.isArray(person.attributes) ? person.attributes : {};
  const builtin: Record<string, string | null> = {
    email: person.email,
    first_name: person.firstName,
    last_name: person.lastName,
    organization: person.organization,
  };
  return Object.fromEntries(
    keys.map((key) => {
      const value = Object.hasOwn(builtin, key) ? builtin[key] : (attributes as Record<string, unknown>)[key];
      return [key, typeof value === 'string' ? value : null];
    }),
  );
};

export interface MarketingLinkConfig {
  publicUrl: string;
  mailDomain: string;
  unsubscribeSecret: string;
  sender: SenderIdentity;
}

/**
 * The footer's system values and the unsubscribe headers of one message: the unsubscribe token
 * names the contact, purpose, channel and mail-log row, so that one click withdraws exactly the
 * consent this message was sent under.
 */
export function marketingLinks(
  config: MarketingLinkConfig,
  message: { contactId: string; purposeId: string; channel: Channel; messageRef: string },
) {
  const baseUrl = config.publicUrl.replace(/\/$/, '');
  const token = createUnsubscribeToken(config.unsubscribeSecret, {
    c: message.contactId,
    p: message.purposeId,
    ch: message.channel,
    m: message.messageRef,
  });
  const unsubscribeUrl = `${baseUrl}/u/${token}`;
  return {
    system: {
      unsubscribeUrl,
      preferencesUrl: `${baseUrl}/preferences/${createPreferencesToken(config.unsubscribeSecret, { c: message.contactId })}`,
      privacyNoticeUrl: config.sender.privacyNoticeUrl,
      imprint: config.sender.imprint,
    },
    unsubscribe: { url: unsubscribeUrl, mailto: unsubscribeMailto(config.mailDomain, token) },
  };
}
