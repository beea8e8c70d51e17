import type { Court, OrderData } from '../orders/order-data';
import { ORDER_TYPES } from '../orders/order-data';

/**
 * Realistic, reproducible order data for benchmarks and demos: the same seed gives the same
 * orders, so a benchmark run can be repeated and a demo walked through by name.
 */

/** mulberry32: tiny, fast, good enough for test data (not for anything secret). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// California's 58 counties; a court ORI is CA + the two-digit county number + 0 + 15J (superior court).
const COUNTIES = [
  'Alameda', 'Alpine', 'Amador', 'Butte', 'Calaveras', 'Colusa', 'Contra Costa', 'Del Norte', 'El Dorado', 'Fresno',
  'Glenn', 'Humboldt', 'Imperial', 'Inyo', 'Kern', 'Kings', 'Lake', 'Lassen', 'Los Angeles', 'Madera', 'Marin',
  'Mariposa', 'Mendocino', 'Merced', 'Modoc', 'Mono', 'Monterey', 'Napa', 'Nevada', 'Orange', 'Placer', 'Plumas',
  'Riverside', 'Sacramento', 'San Benito', 'San Bernardino', 'San Diego', 'San Francisco', 'San Joaquin',
  'San Luis Obispo', 'San Mateo', 'Santa Barbara', 'Santa Clara', 'Santa Cruz', 'Shasta', 'Sierra', 'Siskiyou',
  'Solano', 'Sonoma', 'Stanislaus', 'Sutter', 'Tehama', 'Trinity', 'Tulare', 'Tuolumne', 'Ventura', 'Yolo', 'Yuba',
];
export const COURTS: readonly Court[] = COUNTIES.map((county, index) => ({
  county,
  ori: `CA${String(index + 1).padStart(2, '0')}0015J`,
}));

/**
 * Names as California's people carry them: a head of common names drawn often, and a long tail
 * of rare ones, so a search for a name finds what it would in a registry (Garcia thousands of
 * times, most surnames a handful) and a wildcard meets many distinct names. The heads are common
 * California surnames and given names, roughly most common first, weighted 1/(rank + 5) counting
 * from 1; the guide's examples (Mouse, Majors, Cleese, Geese, Moose) and names with an apostrophe
 * or several words are among them. The tails are made of syllables: 38,400 surnames, 750 given
 * names.
 */
const COMMON_LAST_NAMES = [
  'Garcia', 'Hernandez', 'Lopez', 'Martinez', 'Rodriguez', 'Gonzalez', 'Smith', 'Perez', 'Sanchez', 'Ramirez', 'Nguyen',
  'Johnson', 'Flores', 'Torres', 'Rivera', 'Williams', 'Gomez', 'Brown', 'Diaz', 'Reyes', 'Cruz', 'Jones', 'Morales',
  'Gutierrez', 'Ortiz', 'Chavez', 'Ruiz', 'Kim', 'Lee', 'Castillo', 'Mendoza', 'Ramos', 'Vasquez', 'Alvarez', 'Miller',
  'Davis', 'Romero', 'Jimenez', 'Moreno', 'Herrera', 'Medina', 'Aguilar', 'Wilson', 'Vargas', 'Castro', 'Guzman',
  'Fernandez', 'Munoz', 'Tran', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'White', 'Wong', 'Chen',
  'Thompson', 'Patel', 'Harris', 'Clark', 'Lewis', 'Young', 'Walker', 'Hall', 'Allen', 'King', 'Wright', 'Scott',
  'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans',
  'Turner', 'Parker', 'Collins', 'Edwards', 'Stewart', 'Morris', 'Murphy', 'Cook', 'Rogers', 'Le', 'Pham', 'Singh',
  'Park', 'Huang', 'Wu', 'Lin', 'Yang', 'Santos', 'Silva', 'Estrada', 'Contreras', 'Salazar', 'Dominguez', 'Delgado',
  'Soto', 'Vega', 'Rios', 'Nunez', 'De La Cruz', "O'Brien", 'Van Der Berg', 'Mouse', 'Majors', 'Cleese', 'Geese', 'Moose',
];
const COMMON_FIRST_NAMES = [
  'Maria', 'Jose', 'Michael', 'David', 'Jennifer', 'Juan', 'Daniel', 'James', 'Robert', 'Christopher', 'Jessica',
  'Elizabeth', 'Carlos', 'Luis', 'Anthony', 'Linda', 'Sarah', 'Jorge', 'Ashley', 'Miguel', 'Ana', 'Rosa', 'Kevin',
  'Brian', 'Emily', 'Mary', 'Angela', 'Francisco', 'Jesus', 'Patricia', 'Richard', 'Steven', 'Karen', 'Nancy', 'Lisa',
  'Mark', 'Paul', 'Sandra', 'Thi', 'Minh', 'Wei', 'Priya', 'Mohammed', 'Fatima', 'John', 'Jane', 'Mickey', 'Minnie',
  'Guadalupe', 'Antonio', 'Alejandro', 'Veronica', 'Andrea', 'Diana', 'Erik', 'Samantha', 'Matthew', 'Joshua', 'Andrew',
  'Adriana', 'Ricardo', 'Sofia', 'Isabella', 'Noah', 'Ethan', 'Olivia',
];
const SURNAME_PARTS = [
  ['Al', 'Bar', 'Bel', 'Bran', 'Cal', 'Car', 'Cas', 'Dal', 'Del', 'Dor', 'El', 'Esc', 'Far', 'Fen', 'Gal', 'Gar', 'Hal',
    'Har', 'Ib', 'Jar', 'Kal', 'Ker', 'Lam', 'Lar', 'Mal', 'Mar', 'Mel', 'Mor', 'Nav', 'Nor', 'Ol', 'Or', 'Pal', 'Par',
    'Quin', 'Ram', 'Ros', 'Sal', 'San', 'Sor', 'Tal', 'Tor', 'Val', 'Var', 'Wal', 'Yan', 'Zam', 'Zel'],
  ['', 'a', 'e', 'i', 'o', 'u', 'an', 'en', 'in', 'on', 'ar', 'er', 'or', 'al', 'el', 'ich', 'ov', 'ed', 'id', 'ab'],
  ['ez', 'es', 'as', 'os', 'o', 'a', 'son', 'sen', 'man', 'ton', 'ley', 'ford', 'ski', 'ova', 'ini', 'ello', 'ian',
    'yan', 'berg', 'stein', 'wood', 'well', 'ard', 'ett', 'ick', 'ino', 'ara', 'aga', 'ida', 'ano', 'eda', 'ura', 'oto',
    'awa', 'ing', 'ang', 'uez', 'illa', 'eras', 'edo'],
] as const;
const GIVEN_NAME_PARTS = [
  ['Ad', 'Al', 'Ar', 'Bri', 'Ca', 'Da', 'El', 'Fe', 'Ga', 'Ha', 'Is', 'Ja', 'Ka', 'Le', 'Ma', 'Na', 'Ol', 'Pa', 'Ra',
    'Sa', 'Ta', 'Va', 'Wi', 'Ya', 'Za', 'Ce', 'De', 'Jo', 'Lu', 'Mi'],
  ['ren', 'lia', 'son', 'na', 'mon', 'ria', 'vin', 'ley', 'rah', 'dan', 'ric', 'tha', 'bel', 'ny', 'mir', 'sha', 'ron',
    'ela', 'ton', 'vi', 'rik', 'lin', 'go', 'del', 'ra'],
] as const;

/** A draw from a name list whose rank r (from 0) has weight 1/(r + 6). */
function headDraws(count: number): number[] {
  let total = 0;
  return Array.from({ length: count }, (_, rank) => (total += 1 / (rank + 6))).map((sum) => sum / total);
}
const LAST_NAME_DRAWS = headDraws(COMMON_LAST_NAMES.length);
const FIRST_NAME_DRAWS = headDraws(COMMON_FIRST_NAMES.length);
/** The share of people with one of the common names: about the top hundred surnames' share of Californians. */
const COMMON_SURNAME_SHARE = 0.3;
const COMMON_GIVEN_NAME_SHARE = 0.8;

const RELATIONSHIPS = ['Spouse', 'Former spouse', 'Cohabitant', 'Dating', 'Parent', 'Child', 'Sibling', 'Neighbor', 'Co-worker'];
const HAIR = ['BLK', 'BRO', 'BLN', 'RED', 'GRY', 'BAL'];
const EYES = ['BRO', 'BLU', 'GRN', 'HAZ', 'BLK'];

const isoDate = (epochDay: number) => new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
const DAY_2015 = Date.UTC(2015, 0, 1) / 86_400_000;

export interface OrderGeneratorOptions {
  /** The courts orders come from (default: every superior court), e.g. only those a demo has users for. */
  courts?: readonly Court[];
}

export class OrderGenerator {
  private readonly random: () => number;
  private readonly courts: readonly Court[];
  private sequence = 0;

  constructor(seed = 20261122, options: OrderGeneratorOptions = {}) {
    this.random = seededRandom(seed);
    this.courts = options.courts ?? COURTS;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  /** A surname, as often as California's people carry it (see COMMON_LAST_NAMES). */
  surname(): string {
    if (this.random() < COMMON_SURNAME_SHARE) return this.common(COMMON_LAST_NAMES, LAST_NAME_DRAWS);
    return SURNAME_PARTS.map((parts) => this.pick(parts)).join('');
  }

  givenName(): string {
    if (this.random() < COMMON_GIVEN_NAME_SHARE) return this.common(COMMON_FIRST_NAMES, FIRST_NAME_DRAWS);
    return GIVEN_NAME_PARTS.map((parts) => this.pick(parts)).join('');
  }

  private common(names: readonly string[], draws: readonly number[]): string {
    const draw = this.random();
    return names[Math.max(0, draws.findIndex((bound) => draw < bound))];
  }

  /** A number in [0, 1) from the seeded sequence. */
  fraction(): number {
    return this.random();
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** A complete, valid order as a court would enter it. */
  order(): OrderData {
    this.sequence++;
    const court = this.pick(this.courts);
    const orderType = this.pick(ORDER_TYPES);
    const issued = DAY_2015 + this.int(0, 11 * 365);
    const restrainedLast = this.surname();
    return {
      caseNumber: `${orderType.slice(0, 2)}${String(issued).slice(-2)}-${String(this.sequence).padStart(6, '0')}`,
      court,
      orderType,
      issuedDate: isoDate(issued),
      expirationDate: isoDate(issued + this.pick([21, 180, 365, 1095, 1825])),
      hearingDate: isoDate(issued + this.int(10, 25)),
      judge: `Hon. ${this.givenName()} ${this.surname()}`,
      restrainedPerson: {
        lastName: restrainedLast,
        firstName: this.givenName(),
        aliases: this.random() < 0.15 ? [`${this.givenName()} ${restrainedLast}`] : [],
        dateOfBirth: isoDate(issued - this.int(18 * 365, 70 * 365)),
        sex: this.pick(['M', 'M', 'M', 'F', 'U'] as const),
        race: this.pick(['A', 'B', 'H', 'I', 'P', 'U', 'W'] as const),
        height: this.int(58, 78),
        weight: this.int(100, 300),
        hair: this.pick(HAIR),
        eyes: this.pick(EYES),
        address: `${this.int(1, 9999)} ${this.surname()} St, ${court.county} CA`,
        relationship: this.pick(RELATIONSHIPS),
      },
      protectedPersons: Array.from({ length: this.int(1, 3) }, () => ({
        lastName: this.random() < 0.6 ? restrainedLast : this.surname(),
        firstName: this.givenName(),
        dateOfBirth: isoDate(issued - this.int(1 * 365, 70 * 365)),
        sex: this.pick(['M', 'F'] as const),
        relationship: this.pick(RELATIONSHIPS),
      })),
      conditions: [{ code: '01' }, ...(this.random() < 0.3 ? [{ code: '08' as const, text: 'Stay 100 yards away from the protected persons and their workplace' }] : [])],
      firearmProhibition: this.pick(['Y', 'Y', 'N', 'U'] as const),
      bradyIndicator: this.pick(['Y', 'N', 'U'] as const),
    };
  }
}
