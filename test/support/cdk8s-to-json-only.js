// Preloaded into an app's process by test/plain-to-json.test.ts: wraps ApiObject.toJson, so that
// withPlainToJson finds a toJson that is not cdk8s's own and renders every object through cdk8s.
'use strict';
const { ApiObject } = require('cdk8s');
const cdk8sToJson = ApiObject.prototype.toJson;
ApiObject.prototype.toJson = function toJson() {
  return cdk8sToJson.call(this);
};
