/**
 * The baselines the benchmark compares Ariane with, each started in its own Node process exactly as
 * Ariane is (`node <file>` with PORT): `echo` is a bare restify 11 JSON echo route (the ceiling);
 * `cloudadapter` is the stock Bot Framework sample: restify + `CloudAdapter` (anonymous) + an
 * `ActivityHandler` echo bot on `/api/messages`.
 */
import * as restify from 'restify';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, type Request as BotRequest, type Response as BotResponse } from 'botbuilder';

const kind = process.argv[2];
const port = Number(process.env.PORT);
const server = restify.createServer({ name: `baseline-${kind}` });
server.use(restify.plugins.bodyParser({ maxBodySize: 64 * 1024 }));
server.get('/healthz', (_req: restify.Request, res: restify.Response, next: restify.Next) => {
  res.send(200, { status: 'alive' });
  next();
});

if (kind === 'echo') {
  server.post('/echo', (req: restify.Request, res: restify.Response, next: restify.Next) => {
    res.send(200, req.body);
    next();
  });
} else if (kind === 'cloudadapter') {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  class EchoBot extends ActivityHandler {
    constructor() {
      super();
      this.onMessage(async (context, next) => {
        await context.sendActivity(`Echo: ${context.activity.text ?? ''}`);
        await next();
      });
    }
  }
  const bot = new EchoBot();
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    await adapter.process(req as unknown as BotRequest, res as unknown as BotResponse, (context) => bot.run(context));
  });
} else {
  console.error(`unknown baseline "${kind}" (echo | cloudadapter)`);
  process.exit(2);
}

server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
