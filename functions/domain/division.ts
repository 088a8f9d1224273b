// A region as the exchange names it: its administrative division code (GB/T 2260).
import * as z from 'zod';

/** A county-level division code (GB/T 2260): six digits, the last two not 00 (00 is a prefecture or province). */
export const divisionCode = z.string().regex(/^[1-9]\d{3}(?!00)\d{2}$/, 'a division code is 6 digits of a county-level unit (GB/T 2260), e.g. 411602');
