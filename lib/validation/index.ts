// Validation of every kind of value the library passes to Kubernetes or the server, one file per kind.
// Each check throws `propError`, naming the prop, the value received, what is expected and the remedy.
export * from './errors';
export * from './names';
export * from './numbers';
export * from './labels';
export * from './env';
export * from './hosts';
export * from './cidr';
export * from './quantity';
export * from './durations';
export * from './scheduling';
export * from './images';
export * from './paths';
export * from './booleans';
export * from './plain-data';
export * from './manifest-text';
export * from './go-yaml-scalar';
export * from './value-list';
export * from './order';
export * from './node-labels';
