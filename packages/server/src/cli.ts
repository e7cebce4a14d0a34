#!/usr/bin/env node
/**
 * `chatloom`: start the server, migrate, work with flow files, create users.
 *
 *   chatloom start [--no-demo]       migrations, first-run demo, listen on PORT
 *   chatloom migrate                 core's and the server's migrations
 *   chatloom flow validate <file>    diagnostics; exit 1 on errors
 *   chatloom flow test <file> [--runs N] [--seed S] [--channel C]...   checkFlow; exit 1 on a failure
 *   chatloom flow chat <file> [--language CODE] [--var NAME=VALUE]...  talk to a flow (timeouts included)
 *   chatloom user create --email E --name N --tenant ID [--role ROLE] [--password P]
 *
 * Configuration comes from the environment (DATABASE_URL, PORT, CHATLOOM_SECRET_KEY,
 * GRAPH_API_BASE_URL, LOG_LEVEL); flow commands read only the file.
 */
import { randomBytes } from 'node:crypto';
import { channelNames, chatCommand, testCommand, validateCommand } from '@chatloom/flow-engine/cli';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createUser } from './auth.js';
import { ConfigError, loadConfig } from './config.js';
import { createServerContext, migrate, openStore } from './context.js';
import { seedDemo } from './demo.js';
import { builtInRole } from './permissions.js';
import { buildServer } from './server.js';

const integer = (name: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(`${name} takes a whole number, at least ${min}`);
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

async function startCommand(options: { demo: boolean }) {
  const config = loadConfig();
  const server = await buildServer(config);
  const demo = options.demo ? await seedDemo(server.context) : undefined;
  await server.listen({ port: config.port, host: config.host });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = config.publicUrl ?? `http://localhost:${port}`;
  const where = config.database.kind === 'sqlite' ? config.database.filename : 'Postgres';
  console.log(`\nChatloom is running on ${base} (${config.database.kind}: ${where})`);
  console.log(`  Admin UI       ${base}/`);
  console.log(`  API docs       ${base}/docs`);
  console.log(`  Health         ${base}/health`);
  console.log(`  Webhooks       ${base}/webhooks/{whatsapp|messenger|instagram}/<channel id>`);
  if (demo) {
    console.log('\nFirst run: a demo tenant with the example flow and a web simulator channel.');
    console.log('  Sign in (shown once, keep it):');
    console.log(`    email     ${demo.email}`);
    console.log(`    password  ${demo.password}`);
    console.log(
      `  Try the flow: POST ${base}/api/v1/simulator/${demo.channelId}/messages {"text":"hi"}`,
    );
    console.log(`                GET  ${base}/api/v1/simulator/${demo.channelId}/messages`);
  }
  console.log('');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info(`${signal}: stopping (finishing in-flight work)`);
    // A second signal while finishing exits at once.
    process.once('SIGINT', () => process.exit(130));
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

async function migrateCommand() {
  const config = loadConfig();
  const store = openStore(config);
  try {
    await migrate(store);
  } finally {
    await store.close();
  }
  console.log(
    `Migrated ${config.database.kind === 'sqlite' ? config.database.filename : 'Postgres'}`,
  );
}

// The flow-file commands are flow-engine's, shared with `chatloom-flow`.
function flowTestCommand(
  file: string,
  options: { runs: number; seed?: number; channel?: string[] },
) {
  return testCommand(file, options.runs, options.seed, options.channel ?? []);
}

function flowChatCommand(file: string, options: { language?: string; var?: string[] }) {
  const vars = Object.fromEntries(
    (options.var ?? []).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]),
  );
  return chatCommand(file, options.language, vars);
}

async function userCreateCommand(options: {
  email: string;
  name: string;
  tenant: string;
  role: string;
  password?: string;
}) {
  if (!builtInRole(options.role) && !/^[0-9a-f-]{36}$/.test(options.role))
    throw new Error(`--role: use global-admin, channels-admin, agent, or a custom role's id`);
  const config = loadConfig();
  const context = await createServerContext(config, { workers: false });
  try {
    if (!(await context.chatloom.getTenant(options.tenant)))
      throw new Error(`--tenant: no tenant "${options.tenant}"`);
    const password = options.password ?? randomBytes(12).toString('base64url');
    const { created } = await createUser(context, {
      ...options,
      password,
      tenantId: options.tenant,
      roleId: options.role,
    });
    console.log(
      created
        ? `Created ${options.email} (${options.role})${options.password ? '' : `; password: ${password}`}`
        : `${options.email} exists; now ${options.role} in this tenant (password unchanged)`,
    );
  } finally {
    await context.close();
  }
}

const run =
  <A extends unknown[]>(action: (...args: A) => Promise<unknown> | number) =>
  async (...args: A) => {
    try {
      const code = await action(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      console.error(
        error instanceof ConfigError ? `Configuration: ${error.message}` : (error as Error).message,
      );
      process.exitCode = 1;
    }
  };

const program = new Command()
  .name('chatloom')
  .description('Chatloom: chatbots and a shared inbox for WhatsApp, Messenger and Instagram');
program
  .command('start')
  .description('Run the server (migrations first; a demo tenant on first run)')
  .option('--no-demo', 'do not seed the demo tenant on first run')
  .action(run(startCommand));
program
  .command('migrate')
  .description("Run core's and the server's migrations")
  .action(run(migrateCommand));
const flow = program.command('flow').description('Work with a flow file');
flow
  .command('validate <file>')
  .description('Diagnostics; exit code 1 on errors')
  .action(run(validateCommand));
flow
  .command('test <file>')
  .description('Property-test the flow (checkFlow); exit code 1 on a failure')
  .option('--runs <n>', 'conversations to generate', integer('--runs', 1), 1000)
  .option('--seed <n>', 'replay a run', integer('--seed', 0))
  .addOption(
    new Option(
      '--channel <name>',
      `hold to a channel (repeat): ${channelNames.join(', ')}`,
    ).argParser(collect),
  )
  .action(
    run((file: string, options: { runs: number; seed?: number; channel?: string[] }) =>
      flowTestCommand(file, options),
    ),
  );
flow
  .command('chat <file>')
  .description('Talk to the flow in the terminal (timeouts included)')
  .option('--language <code>', 'start in this language')
  .option('--var <name=value>', 'a session variable (repeat)', collect)
  .action(
    run((file: string, options: { language?: string; var?: string[] }) =>
      flowChatCommand(file, options),
    ),
  );
const user = program.command('user').description('Users');
user
  .command('create')
  .description('Create a user (or give an existing one a role) in a tenant')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .requiredOption('--tenant <id>')
  .option('--role <role>', 'global-admin, channels-admin, agent or a custom role id', 'agent')
  .option('--password <password>', 'default: generated and printed')
  .action(run(userCreateCommand));

await program.parseAsync(process.argv);
