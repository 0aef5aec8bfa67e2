import type { z } from 'zod';
import { decodePhotoUpload } from '../identity/photo-upload.js';
import type { CommandContext, CommandHandler } from './commands.js';
import { enrollArgsSchema, MAX_COMMAND_PHOTO_BYTES, unenrollArgsSchema } from './payloads.js';

type EnrollArgs = z.output<typeof enrollArgsSchema>;
type UnenrollArgs = z.output<typeof unenrollArgsSchema>;

interface Actor {
  readonly by: string;
  readonly correlation?: string;
}

/**
 * What the commands need of gallery/enrollment.ts's Enrollment, declared here: the store already imports the uplink's
 * topic layout, so an import of the gallery (which imports the store) would close a cycle.
 */
export interface EnrollmentPort {
  enroll(request: {
    readonly id: string;
    readonly list: string;
    readonly name: string;
    readonly class?: string;
    readonly school?: string;
    readonly consent: string;
    readonly photos: readonly { readonly name: string; readonly source: Buffer }[];
  } & Actor): Promise<{ readonly id: string; readonly list: string; readonly enrolledAt: number; readonly enrolledBy: string; readonly photos: number; readonly voice: { readonly rendered: number; readonly kept: number } | { readonly code: string } | null }>;
  remove(id: string, actor: Actor): Promise<{ readonly id: string; readonly list: string; readonly wiped: boolean; readonly clips: number }>;
}

/** The audit's actor of a command: the centre, and who there when the command says. */
function actor(by: string | undefined, context: CommandContext): Actor {
  return { by: by === undefined ? 'centre' : `centre:${by}`, ...(context.correlation === null ? {} : { correlation: context.correlation }) };
}

/**
 * cmd/enroll and cmd/unenroll, shaped as the router's CommandHandlers; `enrollment` is asked at each command, so a
 * gallery that did not start answers GALLERY_UNAVAILABLE. Photos are checked (base64, size, JPEG: PHOTO_UPLOAD) before
 * the models see them, and each must show one usable face (FACE_PHOTO); nothing is stored unless all pass. The reply
 * carries the person's id and list, never the name.
 */
export function enrollCommands(enrollment: () => EnrollmentPort): { readonly enroll: CommandHandler<EnrollArgs>; readonly unenroll: CommandHandler<UnenrollArgs> } {
  return {
    enroll: {
      args: enrollArgsSchema,
      run: async (args, context) => {
        const service = enrollment();
        const photos = args.photos.map((text, i) => ({ name: `photos[${String(i)}]`, source: decodePhotoUpload(text, `photos[${String(i)}]`, { maxBytes: MAX_COMMAND_PHOTO_BYTES, formats: ['jpeg'] }) }));
        const result = await service.enroll({
          id: args.id,
          list: args.list,
          name: args.name,
          consent: args.consent,
          ...(args.class === undefined ? {} : { class: args.class }),
          ...(args.school === undefined ? {} : { school: args.school }),
          photos,
          ...actor(args.by, context),
        });
        const voice = result.voice === null ? null : 'code' in result.voice ? { error: result.voice.code } : { clips: result.voice.rendered + result.voice.kept };
        return { id: result.id, list: result.list, enrolledAt: result.enrolledAt, enrolledBy: result.enrolledBy, photos: result.photos, voice };
      },
    },
    unenroll: {
      args: unenrollArgsSchema,
      run: async (args, context) => {
        const removal = await enrollment().remove(args.id, actor(args.by, context));
        return { id: removal.id, list: removal.list, wiped: removal.wiped, clips: removal.clips };
      },
    },
  };
}
