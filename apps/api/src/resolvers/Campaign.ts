import type { CampaignResolvers } from "../generated/graphql";
import { analysisCount } from "./analysis-count";

export const Campaign: CampaignResolvers = {
  analyses: async (campaign, _args, context) => (await analysisCount(context, campaign.countFilter)) ?? 0,
};
