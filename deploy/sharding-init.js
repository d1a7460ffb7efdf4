// The sharded profile's one-off set-up (docker-compose --profile sharded): initiate the config server and
// the two shards' replica sets, add the shards through mongos, and shard the collections that are ready
// (hub/store/sharding.py: SHARD_KEYS without a PLANNED_MOVES entry; tests/unit/hub/test_shard_keys.py
// keeps this list and that file the same). Run by the `sharded-init` service with mongosh; safe to re-run.
function initiate(host, id, configsvr) {
  const admin = new Mongo(host).getDB("admin");
  if (!admin.runCommand({ replSetGetStatus: 1 }).ok) {
    admin.runCommand({ replSetInitiate: { _id: id, configsvr: configsvr, members: [{ _id: 0, host: host }] } });
  }
  for (let i = 0; i < 60 && !admin.runCommand({ hello: 1 }).isWritablePrimary; i++) sleep(1000);
}
initiate("cfg1:27017", "cfg", true);
initiate("shard1a:27017", "shard1", false);
initiate("shard2a:27017", "shard2", false);

const mongos = new Mongo("mongos:27017");
const admin = mongos.getDB("admin");
for (let i = 0; i < 60 && !admin.runCommand({ ping: 1 }).ok; i++) sleep(1000);
admin.runCommand({ addShard: "shard1/shard1a:27017" });
admin.runCommand({ addShard: "shard2/shard2a:27017" });
admin.runCommand({ enableSharding: "hub" });

// shard: conversations {contact_id: 1}
admin.runCommand({ shardCollection: "hub.conversations", key: { contact_id: 1 } });
// shard: raw_inbound {_id: "hashed"}
admin.runCommand({ shardCollection: "hub.raw_inbound", key: { _id: "hashed" } });
// shard: messages {conversation_id: "hashed"}
admin.runCommand({ shardCollection: "hub.messages", key: { conversation_id: "hashed" } });
// shard: message_keys {_id: "hashed"}
admin.runCommand({ shardCollection: "hub.message_keys", key: { _id: "hashed" } });
// shard: contacts {_id: "hashed"}
admin.runCommand({ shardCollection: "hub.contacts", key: { _id: "hashed" } });
// shard: identities {_id: "hashed"}
admin.runCommand({ shardCollection: "hub.identities", key: { _id: "hashed" } });
print("sharded cluster ready");
