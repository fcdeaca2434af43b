import { EnvVar } from '../../imports/k8s';
import { propError } from '../validation';
import { HYPHEN_VERSION, parseImage, RELEASE_IN_TAG, releaseWords, TOOL_IN_TAG } from '../validation/images';

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
 * The first UI release that reads its client certificate again when the file changes (a
 * GetClientCertificate callback in server/rpc/tls.go that reloads the pair on a newer mtime, from
 * temporalio/ui v2.37.3); older ones keep the pair they read at start until they restart.
 */
const UI_RELOADS_CLIENT_CERTIFICATE = '2.37.3';

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

/** Whether `release` is surely before `since`: a tag that stops short (`2.37` beside 2.37.3) may be any patch of it, so it is not. */
function olderThan(release: readonly number[], since: string): boolean {
  const want = since.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    const part = release[i];
    if (part === undefined) return false;
    if (part !== want[i]) return part < want[i];
  }
  return false;
}

/**
 * The official image's repository, as Docker Hub names it; its tags are UI releases and nothing else.
 * A host name is read in any case (DNS and the pull alike); the path is lower case in any reference.
 */
const OFFICIAL_UI = /^((docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?temporalio\/ui$/i;

/**
 * The UI release `image` runs, as its parts: `declared` (ui.release) when given, else what the
 * image's reference names (uiReleaseOf). The declared release stands in for a reference that names
 * none or names another program's version (a digest alone, an in-house image named `ui` tagged with
 * its own version); beside the official repository's tag, which is the release, it must agree.
 */
export function uiRelease(owner: string, image: string, declared: string | undefined): number[] | undefined {
  if (declared === undefined) return uiReleaseOf(image);
  if (typeof declared !== 'string' || !/^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.test(declared)) {
    throw propError(owner, 'release', declared, 'the UI release the image is built from, as MAJOR.MINOR.PATCH such as "2.52.0" (no leading "v", no suffix)',
      'The settings that only newer UI releases read are checked against it.');
  }
  const release = declared.split('.').map(Number);
  const tagged = uiReleaseOf(image);
  if (tagged !== undefined && OFFICIAL_UI.test(parseImage(owner, 'image', image).repository) && tagged.some((part, i) => part !== release[i])) {
    throw propError(owner, 'release', declared, `the release the official image's tag names (${tagged.join('.')}), or no release`,
      `The tag of ${image} is the UI release it runs. Set release only for an image whose reference does not say (a digest alone, an in-house build), or leave it out.`);
  }
  return release;
}

/**
 * Refuses a setting the UI image is too old to read. An image whose reference names no release,
 * and for which no release is declared, is taken at the user's word: refusing it would refuse
 * every digest-pinned image.
 */
export function checkUiReadsEnv(owner: string, image: string, env: readonly EnvVar[], declared?: string): void {
  const release = uiRelease(owner, image, declared);
  if (release === undefined) return;
  const named = declared === undefined ? `UI ${release.join('.')}` : `UI ${release.join('.')}, as release says`;
  if (env.some((e) => e.name === 'TEMPORAL_TLS_CERT') && olderThan(release, UI_RELOADS_CLIENT_CERTIFICATE)) {
    throw propError(owner, 'image', image, `a UI image of ${UI_RELOADS_CLIENT_CERTIFICATE} or later, since the UI presents a client certificate to the frontend (this one is ${named})`,
      `UI releases before ${UI_RELOADS_CLIENT_CERTIFICATE} read the client certificate once, at start: a renewed certificate never reaches the running pods, and once the one `
      + 'they read expires the frontend refuses every call of the UI until the pods restart. Leave image out for the library\'s default UI (a newer release), or set a UI image of '
      + `${UI_RELOADS_CLIENT_CERTIFICATE} or later` + (declared === undefined ? '; if the tag is an in-house build\'s own version, set release to the UI release it is built from.' : '.'));
  }
  for (const { name } of env) {
    const setting = Object.prototype.hasOwnProperty.call(UI_ENV_SINCE, name) ? UI_ENV_SINCE[name] : undefined;
    if (setting === undefined || !olderThan(release, setting.since)) continue;
    throw propError(owner, setting.prop, true, `false or unset with the UI image ${image} (${named}), or a UI image of ${setting.since} or later`,
      `UI releases before ${setting.since} do not read ${name}, so ${setting.effect}. Set image to a UI release of ${setting.since} or later `
      + '(leave it out for the library\'s default, a newer one), or leave the setting out'
      + (declared === undefined ? '; if the tag is an in-house build\'s own version, set release to the UI release it is built from.' : '.'));
  }
}
