/* SPDX-License-Identifier: Apache-2.0 */
/* face_template.h: the mean face of the composite portraits in the 189-point
 * Psychomorph order, pupils at (-0.5, 0) and (0.5, 0) (face_template.c). */
#ifndef SZ_AVATAR_PHOTO_FACE_TEMPLATE_H
#define SZ_AVATAR_PHOTO_FACE_TEMPLATE_H

extern const float face_template_189[189][2];

#endif
