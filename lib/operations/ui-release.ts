import { EnvVar } from '../../imports/k8s';
import { propError } from '../validation';
import { HYPHEN_VERSION, RELEASE_IN_TAG, releaseWords, TOOL_IN_TAG } from '../validation/images';

/*
 * The UI renders its config from env at start (config/docker.yaml in the image) and a release
 * whose template does not name a variable ignores it without a word: the pods run, the setting is
 * simply not there. So every variable the library writes that older UI releases do not read is
 * listed with the first release that does, read from temporalio/ui's tags (server/config/docker.yaml);
 * the others (address, port, TLS, the login) were read long before the releases anyone deploys today.
 */
const UI_ENV_SINCE: Readonly<Record<string, { readonly prop: string; readonly since: string; readonly effect: string }>> = {
  TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER: {
    prop: 'oidc.useIdTokenAsBearer', since: '2.39.0',
    effect: 'the UI would go on sending the access token as the bearer',
  },
};

/**
 * The release a UI image names, as its parts (`[2, 38, 3]`, or `[2, 38]`), read from the tag of an
 * image named `ui` (temporalio/ui and its mirrors) only. A path component names the server release
 * a mirror is laid out by (`registry/temporal-1.31.5/ui@sha256:…`), and an image of another name
 * (`acme/temporal-ui:1.4.0`) is an in-house build with versions of its own: neither says which UI
 * runs. Undefined when the reference names none: a digest alone, `latest`, a build tag such as
 * `build-42`; then only the user knows what runs.
 */
export function uiReleaseOf(image: string): number[] | undefined {
  const words = releaseWords(image);
  const tagged = image.split('@')[0].lastIndexOf(':') > image.split('@')[0].lastIndexOf('/');
  if (!tagged || words[words.length - 2] !== 'ui') return undefined;
  for (const [match] of words[words.length - 1].matchAll(new RegExp(RELEASE_IN_TAG, 'g'))) {
    if (new RegExp(TOOL_IN_TAG).test(match) || new RegExp(HYPHEN_VERSION).test(match)) continue;
    return match.match(/[0-9]+/g)!.slice(0, 3).map(Number);
  }
  return undefined;
}

function olderThan(release: readonly number[], since: string): boolean {
  const want = since.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    const part = release[i] ?? 0;
    if (part !== want[i]) return part < want[i];
  }
  return false;
}

/**
 * Refuses a setting the UI image is too old to read. An image whose reference names no release is
 * taken at the user's word: refusing it would refuse every digest-pinned image.
 */
export function checkUiReadsEnv(owner: string, image: string, env: readonly EnvVar[]): void {
  const release = uiReleaseOf(image);
  if (release === undefined) return;
  for (const { name } of env) {
    const setting = Object.prototype.hasOwnProperty.call(UI_ENV_SINCE, name) ? UI_ENV_SINCE[name] : undefined;
    if (setting === undefined || !olderThan(release, setting.since)) continue;
    throw propError(owner, setting.prop, true, `false or unset with the UI image ${image} (UI ${release.join('.')}), or a UI image of ${setting.since} or later`,
      `UI releases before ${setting.since} do not read ${name}, so ${setting.effect}. Set image to a UI release of ${setting.since} or later `
      + '(leave it out for the library\'s default, a newer one), or leave the setting out.');
  }
}
