/** A contact's name as people write it, or nothing when none is known (or the caller's role does not see it). */
export function fullName(contact: { firstName?: string | null | undefined; lastName?: string | null | undefined }): string | null {
  const name = [contact.firstName, contact.lastName].filter((part) => part && part.trim()).join(' ');
  return name || null;
}
