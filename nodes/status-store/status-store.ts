import type { NodeAPI, NodeDef } from 'node-red';
import { resolveDatabasePath } from '../../lib/store/location';
import { StatusStore } from '../../lib/store/store';
import { registry } from '../registry';
import type { StatusStoreNode } from '../types';

interface StatusStoreConfig extends NodeDef {
  path: string;
}

export = (RED: NodeAPI) => {
  function StatusStoreNode(this: StatusStoreNode, config: StatusStoreConfig) {
    RED.nodes.createNode(this, config);
    const file = resolveDatabasePath(config.path, RED.settings.userDir as string | undefined);
    const opening = StatusStore.open(file);
    opening.then(
      (store) => {
        this.log(RED._('status-store.log.opened', { file }));
        registry.addStore({ id: this.id, name: config.name || file, store });
      },
      (err: Error) => this.error(RED._('status-store.errors.open', { file, message: err.message })),
    );
    this.store = () => opening;
    this.on('close', (_removed: boolean, done: () => void) => {
      registry.stores.delete(this.id);
      opening
        .then((store) => store.close())
        .catch((err: Error) => this.warn(RED._('status-store.errors.close', { message: err.message })))
        .finally(done);
    });
  }
  RED.nodes.registerType('status-store', StatusStoreNode);
};
