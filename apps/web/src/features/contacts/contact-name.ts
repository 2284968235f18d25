/** A contact's name as people write it, or nothing when none is known. */
export function fullName(contact: { firstName: string | null; lastName: string | null }): string | null {
  const name = [contact.firstName, contact.lastName].filter((part) => part && part.trim()).join(' ');
  return name || null;
}
