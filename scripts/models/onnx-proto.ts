import protobuf from 'protobufjs';
import type { Attr, DataType, OnnxGraph, OnnxNode, OnnxTensor, ValueInfo } from './onnx-graph.js';
import { OPSET } from './onnx-graph.js';

/**
 * The subset of onnx/onnx.proto (field numbers copied from onnx 1.16) needed to write a model.
 * proto2 so that zero-valued optional fields (an attribute i = 0) are still written when set.
 */
const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; }
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  repeated float floats = 7 [packed = true];
  repeated int64 ints = 8 [packed = true];
  optional AttributeType type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}
message TensorProto {
  repeated int64 dims = 1 [packed = true];
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1;
}
message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

const IR_VERSION = 8;

const DATA_TYPE_CODES: Record<DataType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7 };

const modelType = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

function attributeProto(name: string, attr: Attr): Record<string, unknown> {
  if ('i' in attr) return { name, type: 2, i: attr.i };
  if ('f' in attr) return { name, type: 1, f: attr.f };
  if ('s' in attr) return { name, type: 3, s: Buffer.from(attr.s, 'utf8') };
  if ('ints' in attr) return { name, type: 7, ints: attr.ints };
  return { name, type: 6, floats: attr.floats };
}

function nodeProto(node: OnnxNode): Record<string, unknown> {
  // Attributes sorted by name so the bytes do not depend on the order a pass happened to set them.
  const attribute = Object.keys(node.attrs)
    .sort()
    .map((key) => attributeProto(key, node.attrs[key] as Attr));
  return { input: node.inputs, output: node.outputs, name: node.name, op_type: node.opType, domain: node.domain ?? '', attribute };
}

function tensorProto(tensor: OnnxTensor): Record<string, unknown> {
  const { data } = tensor;
  return {
    name: tensor.name,
    dims: tensor.dims,
    data_type: DATA_TYPE_CODES[tensor.dataType],
    raw_data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  };
}

function valueInfoProto(info: ValueInfo): Record<string, unknown> {
  return {
    name: info.name,
    type: {
      tensor_type: {
        elem_type: DATA_TYPE_CODES[info.dataType],
        ...(info.dims === undefined ? {} : { shape: { dim: info.dims.map((d) => ({ dim_value: d })) } }),
      },
    },
  };
}

/** Serializes a graph as an ONNX ModelProto (IR version 8, default domain at OPSET, com.microsoft 1 when used). */
export function encodeModel(graph: OnnxGraph, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const usesMicrosoft = graph.nodes.some((n) => n.domain === 'com.microsoft');
  const opsets = [{ domain: '', version: OPSET }, ...(usesMicrosoft ? [{ domain: 'com.microsoft', version: 1 }] : [])];
  const initializers = [...graph.initializers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const message = modelType.fromObject({
    ir_version: IR_VERSION,
    producer_name: 'huxiao-edge scripts/models',
    producer_version: '1',
    opset_import: opsets,
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map(nodeProto),
      initializer: initializers.map(tensorProto),
      input: graph.inputs.map(valueInfoProto),
      output: graph.outputs.map(valueInfoProto),
    },
  });
  return modelType.encode(message).finish();
}

/** Op type counts of a serialized model, e.g. the graph onnxruntime wrote after its optimizations. */
export function decodeOpCounts(bytes: Uint8Array): Record<string, number> {
  const model = modelType.toObject(modelType.decode(bytes)) as { graph?: { node?: { op_type?: string }[] } };
  const counts: Record<string, number> = {};
  for (const node of model.graph?.node ?? []) {
    const op = node.op_type ?? '?';
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}
