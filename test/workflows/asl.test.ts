// Every workflow file is valid ASL, uses only what both engines (Step Functions and
// aws-local-stepfunctions) run the same way, and calls only catalog functions with a Retry that
// never retries a business rejection.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { defaultWorkflowsDir, loadWorkflow } from '../../dev/local/workflow-engine';
import {
  functionKeyOfVariable,
  functionKeys,
  substitutionVariable,
  workflowNames,
  workflows,
  workflowSpec,
} from '../../functions/workflows/catalog';

// asl-validator 4 is CommonJS without type declarations.
type AslValidator = (
  definition: unknown,
  opts?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

/** It adds QueryLanguage to every state it sees: validate a copy. */
function validate(definition: unknown) {
  const { isValid, errorsText } = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return { isValid, errors: errorsText('\n') };
}

type State = Record<string, unknown>;
interface Machine {
  States: Record<string, State>;
}

/** Every state, nested ones (Map item processors, Parallel branches) included. */
function allStates(machine: Machine): Array<[string, State]> {
  const out: Array<[string, State]> = [];
  for (const [name, state] of Object.entries(machine.States)) {
    out.push([name, state]);
    for (const nested of [state.ItemProcessor, state.Iterator, ...(Array.isArray(state.Branches) ? state.Branches : [])]) {
      if (nested !== undefined) out.push(...allStates(nested as Machine));
    }
  }
  return out;
}

/** Every key and string anywhere in a JSON value. */
function walk(value: unknown, visit: (key: string | undefined, value: unknown) => void, key?: string) {
  visit(key, value);
  if (Array.isArray(value)) value.forEach((v) => walk(v, visit));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, visit, k);
}

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
}

/** How many times Step Functions retries `error` on this Task: the first retrier that matches decides. */
function retriesFor(retry: Retrier[] | undefined, error: string): number {
  for (const retrier of retry ?? []) {
    const matches = retrier.ErrorEquals.some(
      (e) => e === error || e === 'States.ALL' || (e === 'States.TaskFailed' && error !== 'States.Timeout'),
    );
    if (matches) return retrier.MaxAttempts ?? 3;
  }
  return 0;
}

const files = readdirSync(defaultWorkflowsDir)
  .filter((f) => f.endsWith('.asl.json'))
  .map((f) => f.slice(0, -'.asl.json'.length))
  .sort();
const rawOf = (file: string) => JSON.parse(readFileSync(join(defaultWorkflowsDir, `${file}.asl.json`), 'utf8')) as Machine;

describe('the workflow catalog', () => {
  it('lists exactly the files in workflows/', () => {
    expect(workflowNames.map((n) => workflows[n].file).sort()).toEqual(files);
  });

  it('names each function by its substitution variable, both ways', () => {
    expect(substitutionVariable('fireTimer')).toBe('FireTimerFunctionArn');
    expect(substitutionVariable('generateHealthChecksPage')).toBe('GenerateHealthChecksPageFunctionArn');
    for (const key of functionKeys) expect(functionKeyOfVariable(substitutionVariable(key))).toBe(key);
    expect(functionKeyOfVariable('SomethingElseArn')).toBeUndefined();
  });

  it('finds a workflow by catalog name or file name', () => {
    expect(workflowSpec('healthChecks').file).toBe('health-checks');
    expect(workflowSpec('health-checks').name).toBe('healthChecks');
    expect(() => workflowSpec('nope')).toThrow(/unknown workflow "nope"/);
  });
});

describe.each(files)('workflows/%s.asl.json', (file) => {
  const raw = rawOf(file);
  const loaded = loadWorkflow(file);
  const states = allStates(raw);
  const tasks = states.filter(([, s]) => s.Type === 'Task');

  it('passes asl-validator before substitution (it accepts ${…} Resources) and after', () => {
    expect(validate(raw)).toEqual({ isValid: true, errors: '' });
    expect(validate(loaded.definition)).toEqual({ isValid: true, errors: '' });
  });

  it('is accepted by aws-local-stepfunctions (which validates with its own asl-validator 3)', () => {
    expect(() => new StateMachine(structuredClone(loaded.definition))).not.toThrow();
  });

  it('uses only JSONPath features that both engines run the same way', () => {
    const problems: string[] = [];
    walk(raw, (key, value) => {
      if (key === 'QueryLanguage' && value !== 'JSONPath') problems.push(`QueryLanguage ${String(value)}`);
      if (key !== undefined && ['HeartbeatSeconds', 'HeartbeatSecondsPath'].includes(key)) problems.push(key);
      // JSONata-only fields, and workflow variables (not supported by aws-local-stepfunctions).
      if (key !== undefined && ['Arguments', 'Output', 'Assign'].includes(key)) problems.push(key);
      // Distributed Map and failure tolerance: not run by aws-local-stepfunctions.
      if (key !== undefined && ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailureCount', 'ToleratedFailurePercentage'].includes(key)) {
        problems.push(key);
      }
      if (typeof value === 'string' && value.includes('.waitForTaskToken')) problems.push(`task token: ${value}`);
      if (typeof value === 'string' && /^\{%.*%\}$/s.test(value)) problems.push(`JSONata expression: ${value}`);
      // aws-local-stepfunctions 3: `ResultPath: "$"` writes a key named "$" instead of replacing the input…
      if (key === 'ResultPath' && value === '$') problems.push('ResultPath "$" (omit it instead)');
      // …and `IsPresent: false` never matches.
      if (key === 'IsPresent' && value === false) problems.push('IsPresent: false (use IsPresent: true and Default)');
    });
    expect(problems).toEqual([]);
  });

  it('waits at most 300 s in a Wait state: deadlines are durable timers, not waits', () => {
    for (const [name, state] of states.filter(([, s]) => s.Type === 'Wait')) {
      expect(state, name).not.toHaveProperty('SecondsPath');
      expect(state, name).not.toHaveProperty('Timestamp');
      expect(state, name).not.toHaveProperty('TimestampPath');
      expect(state.Seconds as number, name).toBeLessThanOrEqual(300);
    }
  });

  it('calls only the functions the catalog lists for it, through their substitution variables', () => {
    const spec = workflowSpec(file);
    const used = new Set<string>();
    for (const [name, state] of tasks) {
      const match = /^\$\{(\w+)\}$/.exec(String(state.Resource));
      expect(match, `${name}: Resource ${String(state.Resource)}`).not.toBeNull();
      const key = functionKeyOfVariable(match![1]!);
      expect(key, `${name}: ${match![1]}`).toBeDefined();
      used.add(key!);
    }
    expect([...used].sort()).toEqual([...spec.functions].sort());
    expect(loaded.functionKeys.sort()).toEqual([...spec.functions].sort());
    expect(Object.keys(loaded.taskStates).sort()).toEqual(tasks.map(([n]) => n).sort());
  });

  it('retries transient errors with backoff on every Task, never CaseRejected, and sets a Task timeout', () => {
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, state] of tasks) {
      const retry = state.Retry as Retrier[] | undefined;
      expect(retry, name).toBeDefined();
      expect(retriesFor(retry, 'CaseRejected'), `${name} retries CaseRejected`).toBe(0);
      for (const transient of ['States.TaskFailed', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'ProvisionedThroughputExceededException', 'TransactionConflict', 'States.Timeout']) {
        expect(retriesFor(retry, transient), `${name} retries ${transient}`).toBeGreaterThanOrEqual(3);
      }
      // aws-local-stepfunctions times a Task out after 60 s unless told; Step Functions never does. Say it.
      expect(state.TimeoutSeconds, `${name} TimeoutSeconds`).toBeTypeOf('number');
    }
  });
});
