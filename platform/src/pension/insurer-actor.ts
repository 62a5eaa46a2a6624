/** Who acts in the console: a staff member of the insurer that owns the provider. */
export interface InsurerActor {
  staffId: string;
  organisationId: string;
  providerId: string;
}
