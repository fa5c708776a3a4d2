/**
 * Package files of `chameleon-webhooks` (generated/typescript): package.json
 * (with `typesVersions`, so TypeScript's node10 resolution finds `/web` too), the
 * README, whose topic table and facts come from the spec, and the LICENSE.
 */
import { render } from '../templates.js';
import type { Emitter } from './emitter.js';
import { licenseFile, projectFields } from './project.js';

export const packageEmitter: Emitter = {
  name: 'package',
  emit(model) {
    const { api } = model;
    const context = {
      api,
      model,
      version: model.packageVersion,
      topics: model.topics.map((topic) => ({
        ...topic,
        dataKeyList: topic.dataKeys
          .map((data) => `\`${data.key}\`${data.required ? '' : '?'}${data.nullable ? ' (nullable)' : ''}`)
          .join(', '),
      })),
      project: projectFields('generated/typescript'),
      toleranceMinutes: api.outgoing.replayWindow.toleranceSeconds / 60,
    };
    return [
      { path: 'typescript/package.json', contents: render('typescript/package.json', context) },
      { path: 'typescript/README.md', contents: render('typescript/README.md', context) },
      licenseFile('typescript'),
    ];
  },
};
