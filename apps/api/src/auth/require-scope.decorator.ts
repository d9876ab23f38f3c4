import { SetMetadata } from '@nestjs/common';
import type { TokenScope } from '@relayboard/contracts';

export const REQUIRED_SCOPE = 'relayboard:required-scope';

/** The scope a controller's (or one handler's) routes need instead of the method's (GET read, changes write). */
export const RequireScope = (scope: TokenScope) => SetMetadata(REQUIRED_SCOPE, scope);
