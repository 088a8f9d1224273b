// The local engine for the workflows in `workflows/`: the very ASL files CDK deploys, run on
// aws-local-stepfunctions with every Task state bound in-process to the handler its Lambda runs.
//
// - Binding: aws-local-stepfunctions overrides Tasks by *state name*, so the engine walks the
//   definition (Map ItemProcessors and Parallel branches too), maps each Task state to the function
//   key of its Resource, and passes `taskResourceLocalHandlers: { <stateName>: handler }`.
// - Handler calls behave like a Lambda invoke: the event and the result go through JSON (no shared
//   objects, `undefined` → null), and a thrown error surfaces to the ASL under `error.name` (a
//   `CaseRejected` error is error "CaseRejected"), with the Cause as Lambda's JSON
//   `{"errorType","errorMessage"}` string.
// - Retry pauses: by default 100 ms per retry (not the ASL's 1, 2, 4, 8 s with jitter) so the local
//   runtime stays responsive; `retryIntervalMs: 'asl'` keeps the ASL timing, `fastRetries: true`
//   (engine or run option) makes them 0 ms, for tests. Retry counts and matching are the ASL's.
// - Transitions: counted from the engine's event log as StateEntered + StateRetried events: every
//   state entered, those inside Map iterations included, plus every retry attempt (Step Functions
//   Standard bills each retry as a transition too).
// - Not like AWS: a Task with no TimeoutSeconds times out after 60 s here (never on AWS), so every
//   Task in workflows/ sets TimeoutSeconds; `ResultPath: "$"` and `IsPresent: false` misbehave
//   here, so test/workflows/asl.test.ts forbids them.
import './runtime-shims';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ExecutionError,
  StateMachine,
  type RunOptions as LocalRunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import {
  functionKeyOfVariable,
  isFunctionKey,
  workflowSpec,
  type FunctionKey,
} from '../../functions/workflows/catalog';

type LocalTaskHandlers = NonNullable<NonNullable<LocalRunOptions['overrides']>['taskResourceLocalHandlers']>;

export const LOCAL_REGION = 'cn-north-1';
export const LOCAL_ACCOUNT = '000000000000';
const ARN_PREFIX = `arn:aws-cn:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:shudi-local-`;

export const defaultWorkflowsDir = fileURLToPath(new URL('../../workflows/', import.meta.url));

/** The ARN the local engine substitutes for a function's variable. */
export function localFunctionArn(key: FunctionKey): string {
  return `${ARN_PREFIX}${key}`;
}

export interface LoadedWorkflow {
  /** The file name, without `.asl.json`. */
  name: string;
  path: string;
  /** The definition with every `${…FunctionArn}` replaced by a local dummy ARN. */
  definition: StateMachineDefinition;
  /** The functions its Task states call, in order of first appearance. */
  functionKeys: FunctionKey[];
  /** Every Task state (nested ones included) and the function it calls. */
  taskStates: Record<string, FunctionKey>;
}

/** Reads `workflows/<name>.asl.json` and substitutes its function ARN variables, like CDK's DefinitionSubstitutions. */
export function loadWorkflow(name: string, opts: { dir?: string } = {}): LoadedWorkflow {
  const path = join(opts.dir ?? defaultWorkflowsDir, `${name}.asl.json`);
  const text = readFileSync(path, 'utf8');
  const keys: FunctionKey[] = [];
  const substituted = text.replace(/\$\{([^}]*)\}/g, (_, variable: string) => {
    const key = functionKeyOfVariable(variable);
    if (key === undefined) throw new Error(`${path}: unknown substitution variable \${${variable}}`);
    if (!keys.includes(key)) keys.push(key);
    return localFunctionArn(key);
  });
  let definition: StateMachineDefinition;
  try {
    definition = JSON.parse(substituted) as StateMachineDefinition;
  } catch (err) {
    throw new Error(`${path}: not JSON: ${(err as Error).message}`);
  }
  return { name, path, definition, functionKeys: keys, taskStates: taskStatesOf(definition, path) };
}

interface StatesNode {
  States?: Record<string, Record<string, unknown>>;
}

/** Task state name → function key, through Map item processors and Parallel branches. */
function taskStatesOf(definition: StateMachineDefinition, path: string): Record<string, FunctionKey> {
  const out: Record<string, FunctionKey> = {};
  const seen = new Set<string>();
  const visit = (node: StatesNode) => {
    for (const [stateName, state] of Object.entries(node.States ?? {})) {
      // Task bindings are by state name, so names must be unique across the whole machine (as AWS requires).
      if (seen.has(stateName)) throw new Error(`${path}: state name "${stateName}" is used twice`);
      seen.add(stateName);
      if (state.Type === 'Task') {
        const resource = state.Resource;
        const key = typeof resource === 'string' && resource.startsWith(ARN_PREFIX) ? resource.slice(ARN_PREFIX.length) : '';
        if (!isFunctionKey(key)) throw new Error(`${path}: Task state "${stateName}" calls ${JSON.stringify(resource)}, not a catalog function`);
        out[stateName] = key;
      }
      for (const nested of [state.ItemProcessor, state.Iterator, ...(Array.isArray(state.Branches) ? state.Branches : [])]) {
        if (nested !== null && typeof nested === 'object') visit(nested as StatesNode);
      }
    }
  };
  visit(definition as unknown as StatesNode);
  return out;
}

export type TaskHandler = (event: unknown) => Promise<unknown> | unknown;

export interface WorkflowEngineOptions {
  handlers: Partial<Record<FunctionKey, TaskHandler>>;
  /** Pause before each retry: milliseconds, or 'asl' for the ASL's own IntervalSeconds/BackoffRate. Default 100 ms. */
  retryIntervalMs?: number | 'asl';
  /** Retry at once (0 ms pauses) in every run: for tests. */
  fastRetries?: boolean;
  workflowsDir?: string;
}

export interface RunOptions {
  /** Execution name; default `<file>-<uuid>`. */
  executionName?: string;
  /** Retry at once (0 ms pauses): for tests. Default: the engine's. */
  fastRetries?: boolean;
  /** Overrides the engine's retry pause for this run. */
  retryIntervalMs?: number | 'asl';
  /** Keep the event log (StateEntered, StateRetried, … with their inputs and outputs) in the result. */
  keepEvents?: boolean;
}

/** A state-machine event, as aws-local-stepfunctions logs it (StateEntered, StateRetried, …). */
export interface WorkflowEvent {
  type: string;
  state?: { name: string; type: string };
  index?: number;
  [field: string]: unknown;
}

export interface ExecutionResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** States entered + retries: what Step Functions Standard bills. */
  transitions: number;
  /** Of those, retry attempts. */
  retries: number;
  /** False if Map iteration events were lost from the log (then `transitions` is a lower bound); see run(). */
  eventLogComplete: boolean;
  executionName: string;
  executionArn: string;
  /** With `keepEvents: true`. */
  events?: WorkflowEvent[];
}

export type WorkflowResult = ExecutionResult;

export class WorkflowEngine {
  private readonly machines = new Map<string, { workflow: LoadedWorkflow; machine: StateMachine }>();

  constructor(private readonly options: WorkflowEngineOptions) {}

  /** Runs a workflow (catalog name `healthChecks` or file name `health-checks`) to its end. */
  async run(name: string, input: unknown, opts: RunOptions = {}): Promise<ExecutionResult> {
    const { workflow, machine } = this.machine(name);
    const missing = workflow.functionKeys.filter((key) => this.options.handlers[key] === undefined);
    if (missing.length > 0) throw new Error(`workflow ${workflow.name}: no handler for ${missing.join(', ')}`);

    const taskResourceLocalHandlers: LocalTaskHandlers = {};
    for (const [stateName, key] of Object.entries(workflow.taskStates)) {
      const handler = this.options.handlers[key]!;
      taskResourceLocalHandlers[stateName] = async (event) => (await invokeLikeLambda(handler, event)) as never;
    }
    const fastRetries = opts.fastRetries ?? this.options.fastRetries ?? false;
    const retryMs = fastRetries ? 0 : (opts.retryIntervalMs ?? this.options.retryIntervalMs ?? 100);
    const retryIntervalOverrides: Record<string, number> = {};
    if (retryMs !== 'asl') {
      for (const stateName of retryableStates(workflow.definition)) retryIntervalOverrides[stateName] = retryMs;
    }

    const executionName = opts.executionName ?? `${workflow.name}-${randomUUID()}`;
    const stateMachineArn = `arn:aws-cn:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:shudi-local-${workflow.name}`;
    const executionArn = `arn:aws-cn:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:shudi-local-${workflow.name}:${executionName}`;
    const execution = machine.run(toJson(input) as never, {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: executionName },
        StateMachine: { Id: stateMachineArn, Name: `shudi-local-${workflow.name}` },
      },
    });

    const counts: Record<string, number> = {};
    const events: WorkflowEvent[] = [];
    const logging = (async () => {
      for await (const event of execution.eventLogs) {
        counts[event.type] = (counts[event.type] ?? 0) + 1;
        if (opts.keepEvents) events.push(event as unknown as WorkflowEvent);
      }
    })();

    let result: Omit<ExecutionResult, 'transitions' | 'retries' | 'eventLogComplete' | 'events'>;
    try {
      const output = await execution.result;
      result = { status: 'SUCCEEDED', output, executionName, executionArn };
    } catch (err) {
      if (!(err instanceof ExecutionError)) throw err;
      const failure = err.cause as { name?: string; message?: string } | undefined;
      result = { status: 'FAILED', error: failure?.name ?? 'States.Runtime', cause: failure?.message ?? err.message, executionName, executionArn };
    }
    await logging;

    // Map iteration events reach the root log asynchronously and are dropped once it closes. Each
    // iteration's own log is in order and ends with MapIteration{Succeeded,Failed}, so if every
    // iteration that started has ended in the log, nothing of it was lost and the count is exact.
    const n = (type: string) => counts[type] ?? 0;
    const eventLogComplete = n('MapIterationStarted') === n('MapIterationSucceeded') + n('MapIterationFailed');
    const transitions = n('StateEntered') + n('StateRetried');
    return { ...result, transitions, retries: n('StateRetried'), eventLogComplete, ...(opts.keepEvents ? { events } : {}) };
  }

  private machine(name: string) {
    const file = workflowSpec(name).file;
    let entry = this.machines.get(file);
    if (entry === undefined) {
      const workflow = loadWorkflow(file, this.options.workflowsDir === undefined ? {} : { dir: this.options.workflowsDir });
      // The constructor validates the definition (asl-validator) and may annotate it: give it a copy.
      entry = { workflow, machine: new StateMachine(structuredClone(workflow.definition)) };
      this.machines.set(file, entry);
    }
    return entry;
  }
}

/** An error as Step Functions sees a Lambda's: Error = the thrown error's name, Cause = Lambda's JSON error payload. */
class TaskError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorType, errorMessage }));
    this.name = errorType;
  }
}

async function invokeLikeLambda(handler: TaskHandler, event: unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = await handler(toJson(event));
  } catch (err) {
    if (err instanceof Error) throw new TaskError(err.name || 'Error', err.message);
    throw new TaskError('Error', String(err));
  }
  return toJson(result);
}

function toJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** Names of the states that have a Retry field, nested ones included. */
function retryableStates(definition: StateMachineDefinition): string[] {
  const out: string[] = [];
  const visit = (node: StatesNode) => {
    for (const [stateName, state] of Object.entries(node.States ?? {})) {
      if (Array.isArray(state.Retry)) out.push(stateName);
      for (const nested of [state.ItemProcessor, state.Iterator, ...(Array.isArray(state.Branches) ? state.Branches : [])]) {
        if (nested !== null && typeof nested === 'object') visit(nested as StatesNode);
      }
    }
  };
  visit(definition as unknown as StatesNode);
  return out;
}
