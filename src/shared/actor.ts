/** Who sends a command: organisation is the ORI of the user's court or agency; roles as in DESIGN §4. */
export interface Actor {
  userId: string;
  organisation: string;
  roles: readonly string[];
}
