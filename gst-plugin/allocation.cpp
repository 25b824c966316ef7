#include "allocation.h"

#include <gst/video/gstvideopool.h>
#include <gst/video/video.h>

#include <algorithm>

namespace rife_gst {

gboolean propose_input_allocation(GstQuery* query) {
  GstCaps* caps = nullptr;
  gst_query_parse_allocation(query, &caps, nullptr);
  GstVideoInfo info;
  if (!caps || !gst_video_info_from_caps(&info, caps)) return FALSE;
  if (!gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, nullptr))
    gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, nullptr);
  if (gst_query_get_n_allocation_pools(query) > 0) return TRUE;
  GstBufferPool* pool = gst_video_buffer_pool_new();
  GstStructure* config = gst_buffer_pool_get_config(pool);
  gst_buffer_pool_config_set_params(config, caps, guint(info.size), 2, 0);
  gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  const bool configured = gst_buffer_pool_set_config(pool, config);
  if (configured) gst_query_add_allocation_pool(query, pool, guint(info.size), 2, 0);
  gst_object_unref(pool);
  return configured;
}

gboolean decide_output_allocation(GstObject* element, GstQuery* query, guint extra_buffers) {
  GstCaps* caps = nullptr;
  gst_query_parse_allocation(query, &caps, nullptr);
  GstVideoInfo info;
  if (!caps || !gst_video_info_from_caps(&info, caps)) return FALSE;
  GstBufferPool* pool = nullptr;
  guint size = guint(info.size), min = 0;  // downstream's maximum is ignored: rife's pool is unbounded
  const bool offered = gst_query_get_n_allocation_pools(query) > 0;
  if (offered) gst_query_parse_nth_allocation_pool(query, 0, &pool, &size, &min, nullptr);
  size = std::max(size, guint(info.size));
  min += extra_buffers;
  const bool video_meta = gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, nullptr);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!pool) pool = gst_video_buffer_pool_new();
    GstStructure* config = gst_buffer_pool_get_config(pool);
    gst_buffer_pool_config_set_params(config, caps, size, min, 0);
    if (video_meta && gst_buffer_pool_has_option(pool, GST_BUFFER_POOL_OPTION_VIDEO_META))
      gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
    if (gst_buffer_pool_set_config(pool, config)) break;
    GST_DEBUG_OBJECT(element, "pool %" GST_PTR_FORMAT " refuses an unbounded configuration, using our own", pool);
    gst_clear_object(&pool);
  }
  if (!pool) return FALSE;
  if (offered)
    gst_query_set_nth_allocation_pool(query, 0, pool, size, min, 0);
  else
    gst_query_add_allocation_pool(query, pool, size, min, 0);
  gst_object_unref(pool);
  return TRUE;
}

}  // namespace rife_gst
