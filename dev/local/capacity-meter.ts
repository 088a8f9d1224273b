// Counts what the table costs: every command sent, and the read and write units it consumed.
// Benchmarks and tests attach it to a client; the product's hot path does not need it.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export interface MeterReading {
  commands: string[];
  readUnits: number;
  writeUnits: number;
  /** Items returned by Query and Scan. */
  itemsReturned: number;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

export class CapacityMeter {
  private reading: MeterReading = { commands: [], readUnits: 0, writeUnits: 0, itemsReturned: 0 };

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? 'unknown';
        this.reading.commands.push(name);
        const input = args.input as Record<string, unknown>;
        if (READS.has(name) || WRITES.has(name)) input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[]; Count?: number };
        const consumed = output.ConsumedCapacity;
        const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
        const units = list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (READS.has(name)) this.reading.readUnits += units;
        else if (WRITES.has(name)) this.reading.writeUnits += units;
        if (typeof output.Count === 'number') this.reading.itemsReturned += output.Count;
        return result;
      },
      { step: 'initialize', name: 'shudiCapacityMeter' },
    );
  }

  /** What was sent since the last reset. */
  read(): MeterReading {
    return { ...this.reading, commands: [...this.reading.commands] };
  }

  reset(): MeterReading {
    const r = this.read();
    this.reading = { commands: [], readUnits: 0, writeUnits: 0, itemsReturned: 0 };
    return r;
  }
}
