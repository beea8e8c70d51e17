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

const LAST_NAMES = [
  'Garcia', 'Hernandez', 'Smith', 'Lopez', 'Martinez', 'Johnson', 'Gonzalez', 'Rodriguez', 'Williams', 'Nguyen',
  'Brown', 'Perez', 'Sanchez', 'Jones', 'Ramirez', 'Kim', 'Miller', 'Davis', 'Torres', 'Flores', 'Rivera', 'Lee',
  'Wilson', 'Gomez', 'Anderson', 'Diaz', 'Tran', 'Taylor', 'Cruz', 'Reyes', 'Thomas', 'Moore', 'Chavez', 'Morales',
  'Jackson', 'White', 'Wong', 'Chen', 'Martin', 'Thompson', 'Patel', 'Harris', 'Clark', "O'Brien", 'De La Cruz',
  'Lewis', 'Young', 'Walker', 'Hall', 'Mouse', 'Majors', 'Cleese', 'Geese', 'Moose', 'Van Der Berg', 'Singh',
];
const FIRST_NAMES = [
  'Maria', 'Jose', 'James', 'Michael', 'Robert', 'Jennifer', 'Linda', 'David', 'Elizabeth', 'Juan', 'Daniel',
  'Jessica', 'Sarah', 'Carlos', 'Luis', 'Ashley', 'Christopher', 'Anthony', 'Emily', 'Mary', 'Kevin', 'Brian',
  'Angela', 'Thi', 'Minh', 'Wei', 'Priya', 'Mohammed', 'Fatima', 'Ana', 'Rosa', 'Miguel', 'Jorge', 'Karen',
  'Nancy', 'Steven', 'Lisa', 'Mark', 'Paul', 'Sandra', 'Mickey', 'Minnie', 'John', 'Jane',
];
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
    const restrainedLast = this.pick(LAST_NAMES);
    return {
      caseNumber: `${orderType.slice(0, 2)}${String(issued).slice(-2)}-${String(this.sequence).padStart(6, '0')}`,
      court,
      orderType,
      issuedDate: isoDate(issued),
      expirationDate: isoDate(issued + this.pick([21, 180, 365, 1095, 1825])),
      hearingDate: isoDate(issued + this.int(10, 25)),
      judge: `Hon. ${this.pick(FIRST_NAMES)} ${this.pick(LAST_NAMES)}`,
      restrainedPerson: {
        lastName: restrainedLast,
        firstName: this.pick(FIRST_NAMES),
        aliases: this.random() < 0.15 ? [`${this.pick(FIRST_NAMES)} ${restrainedLast}`] : [],
        dateOfBirth: isoDate(issued - this.int(18 * 365, 70 * 365)),
        sex: this.pick(['M', 'M', 'M', 'F', 'U'] as const),
        race: this.pick(['A', 'B', 'H', 'I', 'P', 'U', 'W'] as const),
        height: this.int(58, 78),
        weight: this.int(100, 300),
        hair: this.pick(HAIR),
        eyes: this.pick(EYES),
        address: `${this.int(1, 9999)} ${this.pick(LAST_NAMES)} St, ${court.county} CA`,
        relationship: this.pick(RELATIONSHIPS),
      },
      protectedPersons: Array.from({ length: this.int(1, 3) }, () => ({
        lastName: this.random() < 0.6 ? restrainedLast : this.pick(LAST_NAMES),
        firstName: this.pick(FIRST_NAMES),
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
