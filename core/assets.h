/* SPDX-License-Identifier: Apache-2.0 */
/* assets.h: where the shipped voices, avatars and face models are found,
 * in the build tree (development, tests) and in an installed copy. */
#ifndef SZ_CORE_ASSETS_H
#define SZ_CORE_ASSETS_H

/* The assets folder (holding voices/, avatars/, models/), no trailing slash;
 * never NULL. Decided once, on the first call (thread-safe), in this order:
 *   1. $SHUZI_ASSETS_DIR when it is set and not empty;
 *   2. the install data folder beside the code that runs: <prefix>/share/shuzi
 *      seen from libshuzi.so in <prefix>/lib... or from the program in
 *      <prefix>/bin, when that folder exists (an installed, moved or unpacked
 *      copy finds its own assets, never the source tree's);
 *   3. the build tree's assets (the source tree's assets/) when they exist;
 *   4. the configured install folder (CMAKE_INSTALL_FULL_DATADIR/shuzi).
 * An installed copy is never shadowed by a build tree and a build tree never
 * reads a stale installed copy. Later changes to the environment are not
 * seen. sz_engine_params.assets_dir still overrides this per engine. */
const char *sz_assets_dir(void);

#endif
