'use client';

import { useQuery } from '@tanstack/react-query';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { edgeLayersQuery, flowLayersQuery } from '../api/queries';

/** The three-layer strip of one flow, spelled out (it may be gone from the server's memory). */
export const useFlowLayers = (flow: FlowRecord) => useQuery(flowLayersQuery(flow));

/** The three-layer strip of a map edge. */
export const useEdgeLayers = (edgeId: string) => useQuery(edgeLayersQuery(edgeId));
