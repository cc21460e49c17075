// A real, decodable H.264 (Baseline, CAVLC) stream of one still picture: an IDR frame whose macroblocks are
// all I_PCM (raw samples, so no transform coding is needed) followed by P frames that skip every macroblock.
import { BitWriter } from './bit-writer.js';

export interface AvcStill {
  /** Sequence and picture parameter sets as NAL units (header byte included), as avcC stores them. */
  sps: Buffer;
  pps: Buffer;
  /** One NAL unit per frame: the IDR frame first. */
  frames: Buffer[];
}

const I_PCM_MB_TYPE = 25;
const FRAME_NUM_BITS = 4;

/** Inserts emulation-prevention bytes so no 0x000000-0x000003 sequence appears inside a NAL unit. */
function escapeRbsp(rbsp: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

function nal(header: number, rbsp: BitWriter): Buffer {
  return Buffer.concat([Buffer.from([header]), escapeRbsp(rbsp.toBuffer())]);
}

function sequenceParameterSet(widthMbs: number, heightMbs: number): Buffer {
  const w = new BitWriter()
    .bits(66, 8) // profile_idc: Baseline
    .bits(0xc0, 8) // constraint_set0 and set1: constrained Baseline
    .bits(30, 8) // level_idc 3.0
    .ue(0) // seq_parameter_set_id
    .ue(FRAME_NUM_BITS - 4) // log2_max_frame_num_minus4
    .ue(2) // pic_order_cnt_type 2: output order follows decoding order
    .ue(1) // max_num_ref_frames
    .bit(0) // gaps_in_frame_num_value_allowed_flag
    .ue(widthMbs - 1)
    .ue(heightMbs - 1)
    .bit(1) // frame_mbs_only_flag
    .bit(1) // direct_8x8_inference_flag
    .bit(0) // frame_cropping_flag
    .bit(0) // vui_parameters_present_flag
    .bit(1)
    .align(0); // rbsp_trailing_bits
  return nal(0x67, w);
}

function pictureParameterSet(): Buffer {
  const w = new BitWriter()
    .ue(0) // pic_parameter_set_id
    .ue(0) // seq_parameter_set_id
    .bit(0) // entropy_coding_mode_flag: CAVLC
    .bit(0) // bottom_field_pic_order_in_frame_present_flag
    .ue(0) // num_slice_groups_minus1
    .ue(0) // num_ref_idx_l0_default_active_minus1
    .ue(0) // num_ref_idx_l1_default_active_minus1
    .bit(0) // weighted_pred_flag
    .bits(0, 2) // weighted_bipred_idc
    .se(0) // pic_init_qp_minus26
    .se(0) // pic_init_qs_minus26
    .se(0) // chroma_qp_index_offset
    .bit(0) // deblocking_filter_control_present_flag
    .bit(0) // constrained_intra_pred_flag
    .bit(0) // redundant_pic_cnt_present_flag
    .bit(1)
    .align(0);
  return nal(0x68, w);
}

/** BT.601 limited-range YCbCr, kept within 1..254 because I_PCM samples may not be 0. */
function toYCbCr([r, g, b]: [number, number, number]): [number, number, number] {
  const clamp = (v: number) => Math.min(254, Math.max(1, Math.round(v)));
  return [
    clamp(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
    clamp(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255),
    clamp(128 + (112 * r - 93.786 * g - 18.214 * b) / 255),
  ];
}

function idrFrame(macroblocks: number, rgb: [number, number, number]): Buffer {
  const [y, cb, cr] = toYCbCr(rgb);
  const samples = Buffer.concat([Buffer.alloc(256, y), Buffer.alloc(64, cb), Buffer.alloc(64, cr)]);
  const w = new BitWriter()
    .ue(0) // first_mb_in_slice
    .ue(7) // slice_type: I (all slices)
    .ue(0) // pic_parameter_set_id
    .bits(0, FRAME_NUM_BITS) // frame_num
    .ue(0) // idr_pic_id
    .bit(0) // no_output_of_prior_pics_flag
    .bit(0) // long_term_reference_flag
    .se(0); // slice_qp_delta
  for (let i = 0; i < macroblocks; i++) w.ue(I_PCM_MB_TYPE).align(0).raw(samples);
  w.bit(1).align(0);
  return nal(0x65, w);
}

function skippedFrame(macroblocks: number, frameNum: number): Buffer {
  const w = new BitWriter()
    .ue(0) // first_mb_in_slice
    .ue(5) // slice_type: P (all slices)
    .ue(0) // pic_parameter_set_id
    .bits(frameNum % (1 << FRAME_NUM_BITS), FRAME_NUM_BITS)
    .bit(0) // num_ref_idx_active_override_flag
    .bit(0) // ref_pic_list_modification_flag_l0
    .bit(0) // adaptive_ref_pic_marking_mode_flag: sliding window
    .se(0) // slice_qp_delta
    .ue(macroblocks) // mb_skip_run: every macroblock copies the reference
    .bit(1)
    .align(0);
  // nal_ref_idc 2: every frame is a reference, which pic_order_cnt_type 2 requires for consecutive frames.
  return nal(0x41, w);
}

/** `frameCount` frames of a width×height picture of one colour; width and height must be multiples of 16. */
export function stillAvc(
  width: number,
  height: number,
  rgb: [number, number, number],
  frameCount: number,
): AvcStill {
  if (width % 16 !== 0 || height % 16 !== 0) throw new RangeError('width and height must be multiples of 16');
  const macroblocks = (width / 16) * (height / 16);
  const frames = [idrFrame(macroblocks, rgb)];
  for (let n = 1; n < frameCount; n++) frames.push(skippedFrame(macroblocks, n));
  return { sps: sequenceParameterSet(width / 16, height / 16), pps: pictureParameterSet(), frames };
}
