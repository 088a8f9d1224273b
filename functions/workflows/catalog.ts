// The workflows and the Lambda functions their Task states call. One list for both engines:
// the local runtime binds each Task state to an in-process handler by it, CDK builds each state
// machine's DefinitionSubstitutions from it. No AWS imports: the local runtime loads this file.
// Only scheduled work is a workflow (timers, the health-check and obligation generators): a
// command (open a case, act on one) is one call of the case service, from the API Lambda in the
// cloud and from the local runtime alike, so no state machine prices a transition per command.

/** Every Lambda function a Task state may call, by its function key. */
export const functionKeys = [
  'listDueTimers',
  'fireTimer',
  'planHealthChecks',
  'generateHealthChecksPage',
  'planObligations',
  'openObligations',
] as const;

export type FunctionKey = (typeof functionKeys)[number];

export interface WorkflowSpec {
  /** `workflows/<file>.asl.json` */
  readonly file: string;
  /** The functions its Task states call; their ARNs are its DefinitionSubstitutions. */
  readonly functions: readonly FunctionKey[];
}

export const workflows = {
  sweeper: { file: 'sweeper', functions: ['listDueTimers', 'fireTimer'] },
  healthChecks: { file: 'health-checks', functions: ['planHealthChecks', 'generateHealthChecksPage'] },
  recurringObligations: { file: 'recurring-obligations', functions: ['planObligations', 'openObligations'] },
} as const satisfies Record<string, WorkflowSpec>;

export type WorkflowName = keyof typeof workflows;
export type WorkflowFile = (typeof workflows)[WorkflowName]['file'];

export const workflowNames = Object.keys(workflows) as WorkflowName[];

export function isFunctionKey(value: string): value is FunctionKey {
  return (functionKeys as readonly string[]).includes(value);
}

/** The DefinitionSubstitutions variable of a function: `fireTimer` → `FireTimerFunctionArn`. */
export function substitutionVariable(key: FunctionKey): string {
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}FunctionArn`;
}

/** The function key of a substitution variable, or undefined if it names no function. */
export function functionKeyOfVariable(variable: string): FunctionKey | undefined {
  return functionKeys.find((key) => substitutionVariable(key) === variable);
}

/** A workflow by its catalog name (`healthChecks`) or its file name (`health-checks`). */
export function workflowSpec(nameOrFile: string): WorkflowSpec & { name: WorkflowName } {
  for (const name of workflowNames) {
    const spec = workflows[name];
    if (name === nameOrFile || spec.file === nameOrFile) return { name, ...spec };
  }
  throw new Error(`unknown workflow "${nameOrFile}" (known: ${workflowNames.join(', ')})`);
}

/** DefinitionSubstitutions for one workflow, given how to get a function's ARN (CDK: fn.functionArn). */
export function definitionSubstitutions(
  nameOrFile: string,
  arnOf: (key: FunctionKey) => string,
): Record<string, string> {
  const spec = workflowSpec(nameOrFile);
  return Object.fromEntries(spec.functions.map((key) => [substitutionVariable(key), arnOf(key)]));
}
